package dev.vmclock.conformance.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Shards;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.harness.qemu.DebianQemuImage;
import dev.vmclock.harness.qemu.DebianSuite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The whole suite across two QEMU versions: the guest boots on A, and every live migration, restore from a file
 * and snapshot load starts its new process from B (QEMU 10.0.2 on this host and Debian trixie-backports' 11.1.3,
 * on pc-q35-10.0, both ways). Stock QEMU keeps its own verdicts across the hop: nothing ERRORs, and exactly the
 * stock deviations FAIL. The wall time of each run goes to target/hop-times.txt.
 */
@Tag("faults") // the full tier: two whole suites with a container QEMU
@Tag("hops")
@Execution(ExecutionMode.CONCURRENT) // two independent runs, each on machines of its own
@ExtendWith(GuestSlots.class)
@ExtendWith(Shards.class)
class CrossVersionHopTest {

    static final String HOST_QEMU = "/usr/bin/qemu-system-x86_64";
    /** What stock QEMU 10.0 and 11.1 fail of VMClock (Fault.STOCK_DEVIATIONS, README): SHOULD clauses only. */
    static final Set<String> VMCLOCK_STOCK = Set.of("VMC-FLAGS-03", "VMC-TAI-03", "VMC-DISRUPT-05");
    /**
     * What 11.1.3's virtio-rtc-pci fails at device level (VirtioRtcStockTest, README): judged on A's QEMU, with no
     * event, so these come with an 11.1 source; the guest-level VRTC clauses are NOT_APPLICABLE (10.0 has no device).
     */
    static final Set<String> VIRTIO_RTC_11_1_STOCK = Set.of("VRTC-OP-05", "VRTC-OP-07", "VRTC-OP-08", "VRTC-OP-09",
            "VRTC-OP-11", "VRTC-ALREQ-01");

    @Test
    void hopsFromQemu10ToQemu11KeepStockVerdicts() throws IOException {
        SuiteRun run = timed("10.0.2 -> 11.1.3", TargetOptions.defaults().with(b -> b.qemu(HOST_QEMU).accel("tcg")
                .hopTo(DebianSuite.TRIXIE_BACKPORTS.suite())));
        assertStock(run, VMCLOCK_STOCK);
    }

    @Test
    void hopsFromQemu11ToQemu10KeepStockVerdicts() throws IOException {
        String image = DebianQemuImage.shipped().ensureBuilt(DebianSuite.TRIXIE_BACKPORTS);
        SuiteRun run = timed("11.1.3 -> 10.0.2", TargetOptions.defaults().with(b -> b.container(image).accel("tcg")
                .hopTo(HOST_QEMU)));
        Set<String> expected = new TreeSet<>(VMCLOCK_STOCK);
        expected.addAll(VIRTIO_RTC_11_1_STOCK);
        assertStock(run, expected);
    }

    private static void assertStock(SuiteRun run, Set<String> expectedFails) {
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        assertThat(run.ids(Verdict.ERROR)).as("ERRORs: %s", describe(run, Verdict.ERROR)).isEmpty();
        assertThat(run.ids(Verdict.FAIL)).as("FAILs: %s", describe(run, Verdict.FAIL))
                .containsExactlyInAnyOrderElementsOf(expectedFails);
        // The event clauses were judged across the hop, not skipped.
        assertThat(run.ids(Verdict.PASS)).contains("VMC-DISRUPT-01", "VMC-DISRUPT-02", "VMC-DISRUPT-03", "VMC-SEQ-03",
                "VMC-CONST-02", "VMC-CONT-01", "VMC-CONT-02", "VMC-CONT-03", "VMC-DISRUPT-09");
    }

    private static SuiteRun timed(String hop, TargetOptions config) throws IOException {
        long t0 = System.nanoTime();
        SuiteRun run = SuiteRunner.run(config, Set.of(), t -> { });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Files.writeString(Path.of("target", "hop-times.txt"), String.format("%s: wall %d ms (suite %d ms), %d clauses,"
                        + " load average %s%n", hop, ms, run.elapsed().toMillis(), run.clauses().size(), loadAverage()),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return run;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    static String describe(SuiteRun run, Verdict v) {
        return run.clauses().stream().filter(c -> c.verdict() == v)
                .map(c -> c.clause().id() + " (" + c.reason().replaceAll("\\s+", " ") + ")").collect(Collectors.joining("; "));
    }
}
