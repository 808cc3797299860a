package dev.vmclock.report.allure;

import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.report.Report;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.FileSystemResultsWriter;
import io.qameta.allure.junitplatform.AllureJunitPlatform;
import io.qameta.allure.model.Label;
import io.qameta.allure.model.Status;
import io.qameta.allure.model.StatusDetails;
import io.qameta.allure.model.TestResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.platform.launcher.TestExecutionListener;

/**
 * Allure results for one run: the stock allure-junit-platform listener writing into {@code dir} (not the
 * working directory, and not through the process-wide default lifecycle), plus {@link ClauseResults} for
 * the spec's labels and the evidence. The directories of many runs (a CI matrix over VMM versions and
 * machines) merge into one report: {@link AllureCommandLine#generate}.
 */
public final class AllureResults {

    /** Where {@code run} writes them, inside its output directory. */
    public static final String DIRECTORY = "allure-results";

    private final Path dir;
    private final AllureLifecycle lifecycle;
    /** The line naming the run: the parent suite of every result, so merged runs stay apart. */
    private final String implementation;
    /** The implementation record, null for a matrix cell that never ran (it has no environment). */
    private final Report.Implementation record;

    /**
     * A matrix cell that never ran: it has no implementation record, only the cell's label.
     *
     * @param label one line naming the cell; it becomes the parent suite, so merged runs stay apart
     */
    public AllureResults(Path dir, String label) {
        this(dir, label, null, Optional.empty());
    }

    /**
     * @param referenceClock the run's reference clock, null when none: named with the implementation
     * @param expected       the run's expectations: each result is tagged expected or unexpected as it is written
     */
    public AllureResults(Path dir, Report.Implementation implementation, String referenceClock,
                         Optional<dev.vmclock.gate.Expected> expected) {
        this(dir, implementation.describe(referenceClock), implementation, expected);
    }

    private AllureResults(Path dir, String implementation, Report.Implementation record,
                          Optional<dev.vmclock.gate.Expected> expected) {
        this.dir = dir;
        this.implementation = implementation;
        this.record = record;
        FileSystemResultsWriter files = new FileSystemResultsWriter(dir);
        this.lifecycle = new AllureLifecycle(expected.<io.qameta.allure.AllureResultsWriter>map(e -> new HeldResults(files, e))
                .orElse(files));
    }

    public Path directory() {
        return dir;
    }

    /** The listeners to hand to the suite's Launcher, in this order. */
    public List<TestExecutionListener> listeners(SpecMap specMap) {
        return List.of(new AllureJunitPlatform(lifecycle),
                new ClauseResults(lifecycle, specMap, implementation, "spec-map.md"));
    }

    /**
     * The implementation record (Allure's Environment widget) and how verdicts map onto Allure's categories.
     * Allure merges environment entries of several result directories: each key names its run.
     */
    public void writeEnvironment() {
        Properties p = new Properties();
        environment().forEach((k, v) -> p.setProperty(k + " [" + implementation + "]", v));
        try {
            Files.createDirectories(dir);
            try (var w = Files.newBufferedWriter(dir.resolve("environment.properties"), StandardCharsets.UTF_8)) {
                p.store(w, "vmclock-conformance: the implementation under test");
            }
            Files.writeString(dir.resolve("categories.json"), CATEGORIES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Allure results into " + dir, e);
        }
    }

    /** vmm "QEMU 10.0.2 (/usr/bin/qemu-system-x86_64, local)", then its details, machine, accelerator and hop. */
    Map<String, String> environment() {
        Map<String, String> e = new LinkedHashMap<>();
        if (record == null) {
            return e;
        }
        Report.Vmm vmm = record.vmm();
        e.put("vmm", vmm.displayName() + " " + vmm.version() + " (" + vmm.path() + ", " + vmm.where() + ")");
        if (!vmm.details().isEmpty()) {
            e.put("details", new TreeMap<>(vmm.details()).entrySet().stream().map(d -> d.getKey() + " " + d.getValue())
                    .collect(java.util.stream.Collectors.joining(", ")));
        }
        e.put("machine", record.machine());
        e.put("accelerator", record.accelerator().name() + " (" + record.accelerator().reason() + ")");
        if (record.hop() != null) {
            Report.Vmm to = record.hop().vmm();
            e.put("hop", to.displayName() + " " + to.version() + " (" + to.path() + ", " + to.where() + "), machine "
                    + record.hop().machineType());
        }
        return e;
    }

    /**
     * A run that never ran (a matrix cell whose image did not build or whose VMM did not start): one "broken"
     * result, under the implementation's parent suite, whose message is the cause; Allure counts it as ERROR.
     */
    public void writeNotRun(String cause) {
        String uuid = UUID.randomUUID().toString();
        long now = System.currentTimeMillis();
        TestResult r = new TestResult().setUuid(uuid).setName("the suite could not run")
                .setFullName(implementation + ": the suite could not run").setHistoryId(implementation + "/not-run")
                .setStatus(Status.BROKEN).setStatusDetails(new StatusDetails().setMessage("ERROR: " + cause))
                .setStart(now).setStop(now)
                .setLabels(List.of(new Label().setName("parentSuite").setValue(implementation),
                        new Label().setName("suite").setValue("matrix cell"),
                        new Label().setName("severity").setValue("critical")));
        lifecycle.scheduleTestCase(r);
        lifecycle.startTestCase(uuid);
        lifecycle.stopTestCase(uuid);
        lifecycle.writeTestCase(uuid);
    }

    /** FAIL is Allure's "failed", ERROR its "broken", NOT_APPLICABLE its "skipped" (see VerdictListener). */
    private static final String CATEGORIES = """
            [
              {"name": "Expected FAIL or ERROR (run --expectations)", "matchedStatuses": ["failed", "broken"],
               "messageRegex": "(?s)\\[expected .*"},
              {"name": "FAIL: the implementation breaks the clause", "matchedStatuses": ["failed"]},
              {"name": "ERROR: the harness or the VMM broke (see the evidence)", "matchedStatuses": ["broken"]},
              {"name": "NOT_APPLICABLE: feature not advertised", "matchedStatuses": ["skipped"],
               "messageRegex": "(?s)NOT_APPLICABLE.*"}
            ]
            """;
}
