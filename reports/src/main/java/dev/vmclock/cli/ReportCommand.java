package dev.vmclock.cli;

import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.gate.Baseline;
import dev.vmclock.gate.ExpectationsFile;
import dev.vmclock.gate.Expected;
import dev.vmclock.gate.FailOn;
import dev.vmclock.gate.Gate;
import dev.vmclock.gate.Subject;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.report.Comparison;
import dev.vmclock.report.HtmlReport;
import dev.vmclock.report.Report;
import dev.vmclock.report.ReportJson;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code report RUN_DIR... [--out FILE]}: one run dir regenerates its index.html (or writes FILE);
 * several are compared side by side in one page (default ./vmclock-comparison.html).
 * {@code report --gate OLD NEW}: the patch gate, NEW judged against OLD as {@code run --baseline} would.
 */
@Command(name = "report", sortOptions = false, description = {
        "One RUN_DIR regenerates its index.html (or writes FILE); several are"
        + " compared side by side in one page, clauses whose verdicts differ highlighted."
        + " With --gate OLD NEW: NEW judged against the baseline OLD (exit 1 when a clause or check got worse)."})
final class ReportCommand implements Callable<Integer> {

    static final String DEFAULT_COMPARISON = "vmclock-comparison.html";

    // 0..*: no argument is this command's own one-line error, not picocli's
    @Parameters(paramLabel = "RUN_DIR", arity = "0..*", description = "directories written by run --out")
    List<String> dirs = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE", description = "the page to write (default: RUN_DIR/index.html for"
            + " one run, ./" + DEFAULT_COMPARISON + " for several)")
    Path outFile;

    @Option(names = "--gate", description = "judge the second RUN_DIR against the first (the patch gate): every"
            + " clause or check that got worse breaks it, what got better is listed")
    boolean gate;

    @Option(names = "--expectations", paramLabel = "FILE", description = "with --gate: also hold NEW against these"
            + " expected results")
    Path expectations;

    @Option(names = "--fail-on", paramLabel = FailOn.VALUES, split = ",", description = "with --gate: as for run"
            + " (default: must, plus unexpected-pass when $CI is set)")
    List<String> failOn = new ArrayList<>();

    @Mixin
    HelpOption help;

    private final PrintStream out;

    ReportCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        if (dirs.isEmpty()) {
            throw Main.usage("report needs at least one RUN_DIR (a directory written by run --out)");
        }
        if (gate) {
            return gate();
        }
        // Read every report before writing anything: a bad argument leaves no half-written output.
        Map<Path, Report> reports = new LinkedHashMap<>();
        for (String d : dirs) {
            reports.put(Path.of(d), ReportJson.read(Path.of(d)));
        }
        if (reports.size() == 1) {
            Map.Entry<Path, Report> only = reports.entrySet().iterator().next();
            Path file = Optional.ofNullable(outFile).orElse(only.getKey().resolve(HtmlReport.FILE_NAME));
            prepareParent(file);
            Path written = HtmlReport.write(only.getValue(), only.getKey(), file);
            out.println("report: " + written.toAbsolutePath());
            return 0;
        }
        Comparison c = Comparison.of(reports);
        Path file = Optional.ofNullable(outFile).orElse(Path.of(DEFAULT_COMPARISON));
        prepareParent(file);
        Path written = c.write(file);
        out.printf("%d runs, %d clauses, %d with differing verdicts%ncomparison: %s%n", reports.size(), c.rows().size(),
                c.differing(), written.toAbsolutePath());
        return 0;
    }

    /** The baseline and the run are read, and the expectations applied, before anything is judged. */
    private int gate() {
        if (dirs.size() != 2) {
            throw Main.usage("report --gate takes two RUN_DIRs, the baseline then the run to judge, not " + dirs.size());
        }
        FailOn rule = FailOn.parse(failOn, System.getenv());
        Baseline old = Baseline.read(Path.of(dirs.get(0)));
        Report now = ReportJson.read(Path.of(dirs.get(1)));
        Optional<Expected> expected = Optional.ofNullable(expectations)
                .map(f -> Expected.forSubject(ExpectationsFile.read(f, SpecMap.load()), Subject.of(now.implementation())));
        Gate.Judged judged = Gate.judge(now, rule, expected, Optional.of(old));
        out.printf("%s judged against %s%n", dirs.get(1), dirs.get(0));
        GateSummary.print(judged, out);
        out.printf("gate (--fail-on %s, baseline%s): %s%n", rule.describe(), expected.isPresent() ? ", expectations" : "",
                judged.holds() ? "HOLDS" : "FAILS");
        return judged.holds() ? ExitCode.OK.code() : ExitCode.GATE_FAILED.code();
    }

    /** An unwritable place is exit 6 with the usual one line, before any work. */
    private static void prepareParent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Main.prepareOutput(parent);
        }
    }
}
