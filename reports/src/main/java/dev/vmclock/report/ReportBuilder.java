package dev.vmclock.report;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.TestOutcome;
import dev.vmclock.conformance.spec.Strength;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A {@link SuiteRun} and its {@link RunContext} → the v1 {@link Report} model. */
public final class ReportBuilder {

    private ReportBuilder() {
    }

    public static Report build(SuiteRun run, RunContext ctx) {
        Path base = ctx.reportDir().toAbsolutePath().normalize();
        List<Report.ClauseReport> clauses = run.clauses().stream().map(c -> clause(c, base)).toList();
        Report.RunInfo info = new Report.RunInfo(ctx.date().toString(), ctx.suiteVersion(),
                ctx.referenceClock().orElse(null), List.copyOf(ctx.selection()), gateName(ctx.gate()),
                run.elapsed().toMillis());
        return new Report(Report.SCHEMA, ctx.implementation(), info, clauses, totals(run.clauses()),
                gate(run, ctx.gate()));
    }

    /**
     * The report of a run that never ran (a matrix cell whose image did not build, or whose QEMU did not start):
     * no clause, the gate fails, and {@code container_failure} is the one-line cause.
     */
    public static Report notRun(RunContext ctx, String cause) {
        Report.RunInfo info = new Report.RunInfo(ctx.date().toString(), ctx.suiteVersion(),
                ctx.referenceClock().orElse(null), List.copyOf(ctx.selection()), gateName(ctx.gate()), 0);
        return new Report(Report.SCHEMA, ctx.implementation(), info, List.of(), totals(List.of()),
                new Report.GateResult(gateName(ctx.gate()), false, List.of(), cause));
    }

    static String gateName(SuiteRun.Gate gate) {
        return gate.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Report.ClauseReport clause(ClauseResult c, Path base) {
        List<Report.TestReport> tests = c.tests().stream().map(t -> test(t, base)).toList();
        return new Report.ClauseReport(c.clause().id(), c.verdict().name(), c.clause().strength().label(),
                c.clause().section(), c.clause().source(), c.clause().rule(), c.reason(), tests);
    }

    private static Report.TestReport test(TestOutcome t, Path base) {
        Path dir = t.evidenceDir().map(Path::of).map(p -> base.resolve(p).normalize()).orElse(null);
        String relative = dir == null ? null : relative(base, dir);
        return new Report.TestReport(t.testName(), t.verdict().name(), t.message(), t.duration().toMillis(), relative,
                dir == null ? List.of() : files(dir));
    }

    /** Forward slashes whatever the OS, so the report reads the same everywhere. */
    private static String relative(Path base, Path dir) {
        Path r = dir.startsWith(base) ? base.relativize(dir) : dir;
        return r.toString().replace('\\', '/');
    }

    private static List<String> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list evidence in " + dir, e);
        }
    }

    static Report.Totals totals(List<ClauseResult> clauses) {
        Map<String, Integer> byVerdict = zeros();
        Map<String, Map<String, Integer>> byStrength = new LinkedHashMap<>();
        Arrays.stream(Strength.values()).forEach(s -> byStrength.put(s.label(), zeros()));
        for (ClauseResult c : clauses) {
            byVerdict.merge(c.verdict().name(), 1, Integer::sum);
            byStrength.get(c.clause().strength().label()).merge(c.verdict().name(), 1, Integer::sum);
        }
        return new Report.Totals(clauses.size(), byVerdict, byStrength);
    }

    private static Map<String, Integer> zeros() {
        Map<String, Integer> m = new LinkedHashMap<>();
        Arrays.stream(Verdict.values()).forEach(v -> m.put(v.name(), 0));
        return m;
    }

    /** The gate's rule lives in SuiteRun; the report names what breaks it. */
    private static Report.GateResult gate(SuiteRun run, SuiteRun.Gate gate) {
        return new Report.GateResult(gateName(gate), run.gateHolds(gate), run.breakingGate(gate),
                run.containerFailure().map(Throwable::toString).orElse(null));
    }
}
