package dev.vmclock.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several runs side by side: one column per run, one row per clause any of them checked, in the order
 * the runs list them. A row {@code differs} when the runs that checked the clause do not all give the same
 * verdict; a run that did not check it (another {@code --select}) shows {@value #NOT_RUN}, which alone is
 * no difference between implementations. A run that could not run at all (a matrix cell whose image did not
 * build or whose VMM did not start: no clause, a {@code container_failure}) shows ERROR on every row and its cause
 * in its column.
 */
public record Comparison(List<Column> columns, List<Row> rows) {

    public static final String NOT_RUN = "NOT_RUN";

    /**
     * One run: where it is, a label naming the implementation, and its gate.
     *
     * @param vmm    the VMM's name ({@code qemu}, ...)
     * @param where  {@code local} or the container image the VMM ran in
     * @param error  why the run could not run at all, null when it ran
     */
    public record Column(String runDir, String label, String vmm, String version, String machine, String accelerator,
                         String referenceClock, String date, boolean gateHolds, String gate,
                         Map<String, Integer> byVerdict, String where, String error) {
    }

    public record Row(String id, String section, String strength, String rule, List<String> verdicts,
                      boolean differs) {
    }

    public static Comparison of(Map<Path, Report> runs) {
        List<Column> columns = new ArrayList<>();
        Map<String, Report.ClauseReport> first = new LinkedHashMap<>();
        for (Map.Entry<Path, Report> e : runs.entrySet()) {
            Report r = e.getValue();
            columns.add(column(e.getKey(), r));
            r.clauses().forEach(c -> first.putIfAbsent(c.id(), c));
        }
        List<Row> rows = new ArrayList<>();
        for (Report.ClauseReport c : first.values()) {
            List<String> verdicts = runs.values().stream().map(r -> r.clauses().stream()
                    .filter(x -> x.id().equals(c.id())).map(Report.ClauseReport::verdict).findFirst()
                    .orElse(couldNotRun(r) ? "ERROR" : NOT_RUN))
                    .toList();
            rows.add(new Row(c.id(), c.section(), c.strength(), c.rule(), verdicts,
                    verdicts.stream().filter(v -> !v.equals(NOT_RUN)).distinct().count() > 1));
        }
        return new Comparison(List.copyOf(columns), List.copyOf(rows));
    }

    /** No clause and a reason: the suite never ran (see {@link ReportBuilder#notRun}). */
    static boolean couldNotRun(Report r) {
        return r.clauses().isEmpty() && r.gateResult().containerFailure() != null;
    }

    private static Column column(Path dir, Report r) {
        Report.Implementation i = r.implementation();
        String clock = r.run().referenceClock();
        String label = (couldNotRun(r) ? i.vmm().path() : i.vmm().displayName() + " " + i.vmm().version())
                + (i.hop() == null ? "" : " → " + i.hop().vmm().version())
                + rtcBackend(i)
                + " · " + i.machine() + " · " + i.accelerator().name()
                + (clock == null ? "" : " · clock " + clock);
        return new Column(dir.toString(), label, i.vmm().name(), i.vmm().version(), i.machine(), i.accelerator().name(), clock,
                r.run().date(), r.gateResult().holds(), r.gateResult().gate(), r.totals().byVerdict(), i.vmm().where(),
                couldNotRun(r) ? r.gateResult().containerFailure() : null);
    }

    /** " · virtio-rtc: NAME VERSION" when the run judged a vhost-user back end: what tells two such columns apart. */
    private static String rtcBackend(Report.Implementation i) {
        String backend = i.vmm().details().get("virtio_rtc_backend");
        if (backend == null) {
            return "";
        }
        int paren = backend.indexOf(" (");
        return " · virtio-rtc: " + (paren > 0 ? backend.substring(0, paren) : backend);
    }

    public long differing() {
        return rows.stream().filter(Row::differs).count();
    }

    record Data(String kind, String title, Comparison comparison) {
    }

    public String html() {
        String title = Specs.names(rows.stream().map(Row::id).toList()) + " conformance: " + columns.size()
                + " runs compared";
        return HtmlPage.render(title, "compare.js", new Data("comparison", title, this));
    }

    public Path write(Path file) {
        HtmlPage.write(file, html());
        return file;
    }
}
