package dev.vmclock.report;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.TestOutcome;
import dev.vmclock.conformance.spec.ClauseEntry;
import dev.vmclock.conformance.spec.Strength;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run made up without QEMU: four clauses (one MUST FAIL with page evidence, a SHOULD FAIL, a PASS and a
 * NOT_APPLICABLE), their evidence directories written under {@code runDir/evidence} as the suite writes them.
 */
public final class SyntheticRun {

    public static final String FAILING = "VMC-CONST-02";
    /** The field the failing clause's evidence shows changing (it must not: it is a constant field). */
    static final String CHANGED_FIELD = "version";

    private final Path runDir;
    private final List<TestOutcome> tests = new ArrayList<>();
    private final List<ClauseResult> clauses = new ArrayList<>();

    private SyntheticRun(Path runDir) {
        this.runDir = runDir;
    }

    /** The standard synthetic run; {@code variant} changes one verdict so two runs can be compared. */
    public static SuiteRun write(Path runDir, boolean constantFieldBroken) {
        SyntheticRun r = new SyntheticRun(runDir);
        byte[] before = page(2, 1);
        byte[] after = page(4, 2);
        if (constantFieldBroken) {
            PageField.VERSION.write(after, 2);
        }
        Path ev = r.evidence("ConstantFieldsTest.unchangedAcrossLiveMigration");
        r.file(ev, "live_migration-before.bin", before);
        r.file(ev, "live_migration-after.bin", after);
        r.file(ev, "boot-page.bin", page(2, 1));
        r.file(ev, "transcript.txt", ("## LIVE_MIGRATION in 634 ms via QMP migrate over unix to a second QEMU\n"
                + "2026-11-22T02:56:01Z -> {\"execute\":\"migrate\",\"arguments\":{\"uri\":\"unix:/tmp/m.sock\"},\"id\":\"c7\"}\n"
                + "2026-11-22T02:56:01Z <- {\"return\": {}, \"id\": \"c7\"}\n"
                + "## full transcript\n2026-11-22T02:56:00Z <- {\"QMP\": {}}\n").getBytes());
        r.file(ev, "notes.txt", "LIVE_MIGRATION: seq_count 2 -> 4; disruption_marker 1 -> 2; version 1 -> 2; \n".getBytes());
        r.file(ev, "console.txt", "[    0.000000] Linux version 7.3.4\nvmclock-agent: ready port=/dev/vport0p1\n".getBytes());
        r.clause(FAILING, "Constant fields", Strength.MUST, "The fields up to time_type never change", List.of(
                r.test("ConstantFieldsTest", "unchangedAcrossLiveMigration", FAILING,
                        constantFieldBroken ? Verdict.FAIL : Verdict.PASS,
                        constantFieldBroken ? "[version after LIVE_MIGRATION] expected: 1 but was: 2" : "", ev)));
        Path ev2 = r.evidence("FlagsTest.taiOffsetValidIsSet");
        r.file(ev2, "boot-page.bin", page(2, 1));
        r.clause("VMC-FLAGS-03", "Flags", Strength.SHOULD, "TAI_OFFSET_VALID should be set", List.of(
                r.test("FlagsTest", "taiOffsetValidIsSet", "VMC-FLAGS-03", Verdict.FAIL,
                        "[TAI_OFFSET_VALID] Expecting value to be true but was false </script><b>not markup</b>", ev2)));
        r.clause("VMC-SEQ-01", "seq_count", Strength.MUST, "seq_count is even when no update is in progress", List.of(
                r.test("SeqCountTest", "evenAtRest", "VMC-SEQ-01", Verdict.PASS, "", null)));
        r.clause("VMC-TIME-06", "Time calculation", Strength.MUST, "time = time_sec + ...", List.of(
                r.test("TimeCalculationTest", "computedTimeMatchesHostClock", "VMC-TIME-06", Verdict.NOT_APPLICABLE,
                        "counter_id is INVALID (0xff)", null)));
        return new SuiteRun(Map.of("vmclock.machine", "q35"), List.copyOf(r.clauses), List.copyOf(r.tests),
                Duration.ofMillis(31_400), Optional.empty());
    }

    /** A VRTC clause the two-spec run FAILs, in a section of its own, with a virtio response as evidence. */
    public static final String VRTC_FAILING = "VRTC-READ-02";

    /**
     * A run over two specs: a VMClock clause (MUST FAIL, pages as evidence) and two virtio-rtc clauses in
     * their own section (a MUST FAIL whose evidence is a raw virtio response, not a VMClock page; a PASS).
     */
    public static SuiteRun writeTwoSpecs(Path runDir) {
        SyntheticRun r = new SyntheticRun(runDir);
        Path ev = r.evidence("ConstantFieldsTest.unchangedAcrossLiveMigration");
        byte[] after = page(4, 2);
        PageField.VERSION.write(after, 2);
        r.file(ev, "live_migration-before.bin", page(2, 1));
        r.file(ev, "live_migration-after.bin", after);
        r.clause(FAILING, "Constant fields", Strength.MUST, "The fields up to time_type never change", List.of(
                r.test("ConstantFieldsTest", "unchangedAcrossLiveMigration", FAILING, Verdict.FAIL,
                        "[version after LIVE_MIGRATION] expected: 1 but was: 2", ev)));
        Path vev = r.evidence("ReadTest.clockReadIsMonotonic");
        byte[] response = new byte[24];
        response[0] = 0x01; // status VIRTIO_RTC_S_OK is 0: this one is an error
        r.file(vev, "read-response.bin", response);
        r.file(vev, "notes.txt", "VIRTIO_RTC_REQ_READ clock 0: status 1 (EOPNOTSUPP)\n".getBytes());
        r.clause(VRTC_FAILING, "virtio-rtc: clock reads", Strength.MUST, "The device answers READ for every clock",
                List.of(r.test("ReadTest", "clockReadIsMonotonic", VRTC_FAILING, Verdict.FAIL,
                        "[status of READ clock 0] expected: 0 but was: 1 & <not markup>", vev)));
        r.clause("VRTC-CFG-01", "virtio-rtc: configuration", Strength.SHOULD, "num_queues is 1 or 2", List.of(
                r.test("ConfigTest", "queueCount", "VRTC-CFG-01", Verdict.PASS, "", null)));
        return new SuiteRun(Map.of("vmclock.machine", "q35"), List.copyOf(r.clauses), List.copyOf(r.tests),
                Duration.ofMillis(12_000), Optional.empty());
    }

    public static RunContext context(Path runDir, SuiteRun.Gate gate) {
        return new RunContext(implementation(), Instant.parse("2026-11-22T03:00:00Z"), "0.1.0-SNAPSHOT",
                Optional.empty(), List.of(), gate, runDir);
    }

    public static Report.Implementation implementation() {
        return new Report.Implementation(new Report.Vmm("qemu", "10.0.2", "/usr/bin/qemu-system-x86_64"), "q35",
                new Report.Accelerator("tcg", "KVM cannot boot a Linux guest here"), null,
                new Report.Host("ci-host", "Linux 6.1.0", 2));
    }

    static VmclockPage decoded(int seq, long marker) {
        return VmclockPage.decode(page(seq, marker));
    }

    static byte[] page(int seq, long marker) {
        byte[] p = new byte[4096];
        PageField.MAGIC.write(p, VmclockPage.MAGIC);
        PageField.SIZE.write(p, 0x1000);
        PageField.VERSION.write(p, 1);
        PageField.COUNTER_ID.write(p, 0xff);
        PageField.SEQ_COUNT.write(p, seq);
        PageField.DISRUPTION_MARKER.write(p, marker);
        return p;
    }

    private Path evidence(String name) {
        Path d = runDir.resolve("evidence").resolve(name);
        try {
            return Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void file(Path dir, String name, byte[] content) {
        try {
            Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestOutcome test(String cls, String method, String clause, Verdict v, String message, Path evidence) {
        TestOutcome t = new TestOutcome("dev.vmclock.conformance.suite", cls, method, List.of(clause), v, message, Duration.ofMillis(640),
                Optional.ofNullable(evidence).map(p -> p.toAbsolutePath().toString()));
        tests.add(t);
        return t;
    }

    private void clause(String id, String section, Strength s, String rule, List<TestOutcome> ts) {
        String source = id.startsWith("VRTC-") ? "virtio v1.4 §5.22" : "UAPI.13 §" + section;
        ClauseEntry e = new ClauseEntry(id, section, rule, s, source, "host page read", List.of(),
                Optional.empty(), Optional.empty());
        Verdict v = ts.stream().map(TestOutcome::verdict).reduce(Verdict::combine).orElseThrow();
        clauses.add(new ClauseResult(e, v, ts));
    }
}
