package dev.vmclock.cli;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.run.TestOutcome;
import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.images.GuestImageBuilder;
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
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.platform.launcher.TestExecutionListener;

/** {@code run}: the suite against one target, a line per test as it finishes, verdicts per clause, report.json and index.html. */
final class RunCommand {

    static final Set<String> OPTIONS = Set.of("--select", "--fail-on", "--out", "--reference-clock", "--kbuild-image");
    static final Set<String> FLAGS = Set.of("--virtio-rtc");

    private final PrintStream out;

    RunCommand(PrintStream out) {
        this.out = out;
    }

    int run(Options o, Target t) {
        Path outDir = Path.of(o.value("--out").orElse("vmclock-report"));
        Main.prepareOutput(outDir);
        SuiteRun.Gate gate = switch (o.value("--fail-on").orElse("must")) {
            case "must" -> SuiteRun.Gate.MUST;
            case "should" -> SuiteRun.Gate.SHOULD;
            default -> throw Options.usage("--fail-on must be must or should");
        };
        Set<String> select = o.value("--select").map(s -> (Set<String>) new TreeSet<>(Arrays.asList(s.split("[,\\s]+"))))
                .orElse(Set.of());
        Map<String, String> config = new LinkedHashMap<>();
        config.put("vmclock.qemu", t.qemu().path().toString());
        t.container().ifPresent(c -> config.put("vmclock.container", c));
        config.put("vmclock.machine", t.machineType());
        config.put("vmclock.accel", t.accelerator().accelerator().qemuName());
        t.ownImage().ifPresent(i -> {
            config.put("vmclock.kernel", i.kernel().toString());
            config.put("vmclock.initrd", i.initramfs().toString());
        });
        o.value("--reference-clock").ifPresent(c -> config.put("vmclock.clock", c));
        if (o.flag("--virtio-rtc")) {
            config.put("vmclock.virtioRtc", "true");
        }
        o.value("--kbuild-image").ifPresent(k -> config.put("vmclock.kbuildImage", k));
        config.put("vmclock.evidenceDir", outDir.resolve("evidence").toAbsolutePath().toString());
        out.printf("vmclock-conformance: %s, machine %s, accel %s%n", t.qemu(), t.machineType(), t.accelerator());
        String implementation = "QEMU " + t.qemu().version() + ", " + t.machineType() + ", "
                + t.accelerator().accelerator().qemuName() + o.value("--reference-clock").map(c -> ", reference clock " + c).orElse("");
        AllureResults allure = new AllureResults(outDir.resolve(AllureResults.DIRECTORY), implementation);
        allure.writeEnvironment(Map.of("qemu", t.qemu().path() + " " + t.qemu().version(), "machine", t.machineType(),
                "accelerator", t.accelerator().toString()));
        SuiteRun run = SuiteRunner.run(config, select, this::progress,
                allure.listeners(SpecMap.load()).toArray(TestExecutionListener[]::new));
        run.containerFailure().ifPresent(e -> {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "the suite could not run: " + e.getMessage()
                    + " (evidence: " + outDir.resolve("evidence") + ")", e);
        });
        if (run.tests().isEmpty()) {
            throw Options.usage("--select " + String.join(",", select) + " matches no test");
        }
        summary(run);
        Path report = writeReport(run, t, outDir, o, select, gate);
        Path junit = JunitXml.write(run, SpecMap.load(), implementation, outDir);
        boolean ok = run.gateHolds(gate);
        out.printf("gate (--fail-on %s): %s%nreport: %s%n        %s%n        %s (JUnit XML)%n"
                        + "        %s (Allure results; HTML: ./vmclock-conformance allure %s)%n",
                gate.name().toLowerCase(), ok ? "HOLDS" : "FAILS", outDir.resolve(HtmlReport.FILE_NAME).toAbsolutePath(),
                report.toAbsolutePath(), junit.toAbsolutePath(), allure.directory().toAbsolutePath(), outDir);
        return ok ? ExitCode.OK.code() : ExitCode.GATE_FAILED.code();
    }

    private void progress(TestOutcome t) {
        out.printf("%-14s %-16s %s (%d ms)%s%n", t.verdict(), String.join(",", t.clauses()), t.testName(),
                t.duration().toMillis(), t.verdict() == Verdict.PASS ? "" : ": " + firstLine(t.message()));
    }

    private void summary(SuiteRun run) {
        Map<Verdict, Long> counts = new EnumMap<>(Verdict.class);
        run.clauses().forEach(c -> counts.merge(c.verdict(), 1L, Long::sum));
        out.printf("%n%d clauses in %.1f s: %s%n", run.clauses().size(), run.elapsed().toMillis() / 1000.0, counts);
        for (ClauseResult c : run.clauses()) {
            if (c.verdict() == Verdict.FAIL || c.verdict() == Verdict.ERROR) {
                out.printf("  %-5s %-16s %-10s %s%n", c.verdict(), c.clause().id(), c.clause().strength().label(),
                        firstLine(c.reason()));
            }
        }
    }

    /** report.json and index.html next to it; the model and formats live in dev.vmclock.report. */
    private static Path writeReport(SuiteRun run, Target t, Path outDir, Options o, Set<String> select, SuiteRun.Gate gate) {
        Report.Implementation impl = new Report.Implementation(
                new Report.Qemu(t.qemu().path().toString(), t.qemu().version().toString()), t.machineType(),
                new Report.Accelerator(t.accelerator().accelerator().qemuName(), t.accelerator().reason()),
                Implementations.guestImage(t.ownImage().or(() -> new GuestImageBuilder().cached())),
                Implementations.currentHost());
        RunContext ctx = new RunContext(impl, Instant.now(), Implementations.suiteVersion(),
                o.value("--reference-clock"), List.copyOf(select), gate, outDir);
        Report report = ReportBuilder.build(run, ctx);
        Path file = ReportJson.write(report, outDir);
        HtmlReport.write(report, outDir);
        return file;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s+", " ");
    }
}
