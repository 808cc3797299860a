package dev.vmclock.cli;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.clock.ReferenceClock;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.run.TestOutcome;
import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.gate.Baseline;
import dev.vmclock.gate.ExpectationsFile;
import dev.vmclock.gate.Expected;
import dev.vmclock.gate.FailOn;
import dev.vmclock.gate.Gate;
import dev.vmclock.gate.Outcome;
import dev.vmclock.gate.Subject;
import dev.vmclock.gate.Triage;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.conformance.qemu.Hop;
import dev.vmclock.conformance.qemu.QemuProvider;
import dev.vmclock.conformance.vm.Implementation;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.VmmProvider;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.report.HtmlReport;
import dev.vmclock.report.Implementations;
import dev.vmclock.report.Report;
import dev.vmclock.report.ReportBuilder;
import dev.vmclock.report.ReportJson;
import dev.vmclock.report.RunContext;
import dev.vmclock.report.allure.AllureResults;
import dev.vmclock.report.junit.JunitXml;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.junit.platform.launcher.TestExecutionListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code run}: the suite against one target, a line per test as it finishes, verdicts per clause, report.json and index.html. */
@Command(name = "run", sortOptions = false, abbreviateSynopsis = true, description = {
        "Run the conformance suite against the target: a line per test, verdicts per"
        + " clause, DIR/report.json, DIR/index.html, DIR/junit.xml, DIR/allure-results/ and DIR/evidence/."})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--select", paramLabel = "IDS", split = "[,\\s]+", splitSynopsisLabel = ",",
            description = "clause ids or areas, comma-separated (VMC-SEQ-03,DISRUPT); default: every clause")
    List<String> select = new ArrayList<>();

    @Option(names = "--fail-on", paramLabel = FailOn.VALUES, split = ",", description = "what fails the run: FAILs"
            + " of MUST clauses, or of SHOULD clauses too; ERRORs always; with unexpected-pass also an expected FAIL"
            + " that now PASSes (default: must, plus unexpected-pass when $CI is set)")
    List<String> failOn = new ArrayList<>();

    @Option(names = "--expectations", paramLabel = "FILE", description = "expected results (YAML, README \"Expected"
            + " results\"): the gate fails only on unexpected FAILs and ERRORs (and, with --fail-on unexpected-pass,"
            + " on expected FAILs that now PASS)")
    Path expectations;

    @Option(names = "--baseline", paramLabel = "RUN_DIR", description = "a run to compare with (its directory or"
            + " report.json): the gate fails on every clause or check that got worse, and lists what got better")
    Path baseline;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "vmclock-report",
            description = "where the report and evidence go (default: ./${DEFAULT-VALUE})")
    Path outDir;

    @Option(names = "--reference-clock", paramLabel = "good|time-off|rate-off|tai-plus-37|steps-back", description = "the harness publishes"
            + " clock data through qtest (QEMU publishes none), so the clock clauses are exercised; the bad variants"
            + " show them FAIL")
    String referenceClock;

    @Option(names = "--hop-to", paramLabel = "SPEC", description = "cross-version hops: every event that starts a new"
            + " QEMU (live migration, restore from a file, snapshot load) starts it from this QEMU, on the newest"
            + " versioned machine type both know; SPEC is a path to a qemu-system-x86_64, a local container image tag,"
            + " or a name './vmclock-conformance images' lists (host, bookworm-backports, trixie, trixie-backports;"
            + " built on first need)")
    String hopTo;

    @Mixin
    TargetArgs target;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    RunCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        // Usage errors first: they need no QEMU probe.
        FailOn gate = FailOn.parse(failOn, System.getenv());
        Optional<ExpectationsFile> expected = Optional.ofNullable(expectations)
                .map(f -> ExpectationsFile.read(f, SpecMap.load()));
        Optional<Baseline> base = Optional.ofNullable(baseline).map(Baseline::read);
        TargetOptions given = target.options();
        VmmProvider provider = VmmProvider.named(given.vmm());
        TargetOptions chosen = provider instanceof QemuProvider ? DefaultImplementation.choose(given, out) : given;
        boolean newOutDir = !java.nio.file.Files.exists(outDir);
        Main.prepareOutput(outDir);
        if (hopTo != null && Hop.needsBuild(hopTo)) {
            out.printf("vmclock-conformance: building Debian %s's QEMU image once for the hop (a few minutes)...%n", hopTo);
        }
        ResolvedTarget config;
        try {
            config = provider.resolve(suiteOptions(chosen, Optional.ofNullable(referenceClock)));
        } catch (RuntimeException e) {
            // Nothing ran: a directory made only for this run goes too (an exec: adapter is refused only once started).
            if (newOutDir) {
                try {
                    java.nio.file.Files.deleteIfExists(outDir);
                } catch (java.io.IOException notEmpty) {
                    // something was written into it meanwhile: keep it
                }
            }
            throw e;
        }
        Report.Implementation impl = implementation(config);
        // Conditions are matched before the run: entries that contradict each other here stop it at once.
        Optional<Expected> inForce = expected.map(e -> Expected.forSubject(e, Subject.of(impl)));
        return run(config, impl, new Judging(gate, inForce, base), new TreeSet<>(select), Optional.ofNullable(referenceClock));
    }

    /** How the run's results are judged: the gate's rule, the expectations in force and the baseline. */
    private record Judging(FailOn failOn, Optional<Expected> expected, Optional<Baseline> baseline) {
    }

    /** The command line's target options with the run's own: resolved once, then carried to every check. */
    private TargetOptions suiteOptions(TargetOptions o, Optional<String> clock) {
        return o.with(b -> {
            clock.map(ReferenceClock::parse).ifPresent(b::clock);
            Optional.ofNullable(hopTo).ifPresent(b::hopTo);
            b.evidenceDir(outDir.resolve("evidence").toAbsolutePath());
        });
    }

    private int run(ResolvedTarget t, Report.Implementation impl, Judging judging, Set<String> select,
                    Optional<String> clock) {
        Implementation i = t.implementation();
        out.printf("vmclock-conformance: %s %s (%s, %s)%s, machine %s, accel %s (%s), devices %s%s%n", i.displayName(),
                i.version(), i.where(), i.path(), i.hop().map(h -> " hopping to " + i.displayName() + " " + h.version()
                        + " (" + h.where() + ", " + h.path() + ")").orElse(""), i.machine(), i.accelerator(),
                i.acceleratorReason(), t.devices(), t.options().without().isEmpty() ? ""
                        : ", without " + t.options().without());
        AllureResults allure = new AllureResults(outDir.resolve(AllureResults.DIRECTORY), impl, clock.orElse(null),
                judging.expected());
        allure.writeEnvironment();
        judging.expected().ifPresent(e -> out.printf("expectations: %s (%d entries apply to %s)%n", e.file(), e.size(),
                Subject.of(impl).describe()));
        judging.baseline().ifPresent(b -> out.printf("baseline: %s (%s)%n", b.name(),
                Subject.of(b.report().implementation()).describe()));
        SuiteRun run = SuiteRunner.run(t, select, o -> progress(o, judging.expected()),
                allure.listeners(SpecMap.load()).toArray(TestExecutionListener[]::new));
        run.containerFailure().ifPresent(e -> {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "the suite could not run: " + e.getMessage()
                    + " (evidence: " + outDir.resolve("evidence") + ")", e);
        });
        if (run.tests().isEmpty()) {
            throw Main.usage("--select " + String.join(",", select) + " matches no test");
        }
        RunContext ctx = new RunContext(impl, Instant.now(), Implementations.suiteVersion(), clock, List.copyOf(select),
                judging.failOn().strength(), outDir);
        Gate.Judged judged = Gate.judge(ReportBuilder.build(run, ctx), judging.failOn(), judging.expected(),
                judging.baseline());
        summary(run, judged);
        Path report = ReportJson.write(judged.report(), outDir);
        HtmlReport.write(judged.report(), outDir);
        Path junit = JunitXml.write(run, judged.report(), outDir, judging.failOn());
        boolean ok = judged.holds();
        out.printf("gate (--fail-on %s%s): %s%nreport: %s%n        %s%n        %s (JUnit XML)%n"
                        + "        %s (Allure results; HTML: ./vmclock-conformance allure %s)%n",
                judging.failOn().describe(), judging.expected().map(e -> ", expectations").orElse("")
                        + judging.baseline().map(b -> ", baseline").orElse(""),
                ok ? "HOLDS" : "FAILS", outDir.resolve(HtmlReport.FILE_NAME).toAbsolutePath(),
                report.toAbsolutePath(), junit.toAbsolutePath(), allure.directory().toAbsolutePath(), outDir);
        return ok ? ExitCode.OK.code() : ExitCode.GATE_FAILED.code();
    }

    /** A line per test as it finishes; with expectations, whether its result was expected. */
    private void progress(TestOutcome t, Optional<Expected> expected) {
        String held = expected.map(e -> t.clauses().stream()
                        .map(c -> Triage.check(e, c, t.testName(), t.verdict()).outcome())
                        .reduce(Outcome.EXPECTED, Outcome::worst))
                .filter(o -> o != Outcome.EXPECTED || t.verdict() != Verdict.PASS)
                .map(o -> " [" + o.label() + "]").orElse("");
        out.printf("%-14s %-16s %s (%d ms)%s%s%n", t.verdict(), String.join(",", t.clauses()), t.testName(),
                t.duration().toMillis(), held, t.verdict() == Verdict.PASS ? "" : ": " + firstLine(t.message()));
    }

    private void summary(SuiteRun run, Gate.Judged judged) {
        Map<Verdict, Long> counts = new EnumMap<>(Verdict.class);
        run.clauses().forEach(c -> counts.merge(c.verdict(), 1L, Long::sum));
        out.printf("%n%d clauses in %.1f s: %s%n", run.clauses().size(), run.elapsed().toMillis() / 1000.0, counts);
        GateSummary.print(judged, out);
    }

    /** The implementation record: the console's first line, report.json, JUnit XML and Allure name it. */
    private static Report.Implementation implementation(ResolvedTarget resolved) {
        return Report.Implementation.of(resolved.implementation(), Implementations.guestImage(resolved.image()),
                Implementations.currentHost());
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s+", " ");
    }
}
