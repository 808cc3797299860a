package dev.vmclock.conformance.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Shards;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.images.FileTree;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults on the real path: the project's reference virtio-rtc device broken one rule at a time
 * ({@code src/test/resources/reference-rtc-faults/broken_rtc.py FAULT}, a subclass of its RtcDevice), run as a
 * vhost-user back end behind QEMU 11.1's vhost-user-rtc-pci exactly as {@code run --vhost-user-rtc} runs a user's. Each
 * broken device FAILs exactly its clauses, and nothing ERRORs (but the guest level of used-length-short, where Linux's
 * driver refuses the device: exactly the ERRORs named): at the device level (the whole device-level VRTC area,
 * one guest-less qtest machine per run), and, for the faults a guest can see through Linux's virtio_rtc, at the guest
 * level (the VRTC-GUEST area, one booted guest per run). The reference device itself: ReferenceRtcSuiteTest.
 *
 * <p>{@code -Dvmclock.referenceRtcFaults=TEXT} runs only the faults whose name contains TEXT. Measured on this kind of
 * machine (2 cores, TCG, loaded by other runs): the 13 runs (9 device level, 4 guest level) in 62 to 71 s together, each
 * 13 to 35 s (60 s once under contention).
 */
@ExtendWith(Shards.class)
public class ReferenceRtcFaultTest {

    /** A variant of broken_rtc.py, its exact device-level FAIL set and, when a guest can see it, its guest-level one. */
    record BrokenDevice(String fault, Set<String> deviceLevel, Optional<Set<String>> guestLevel,
                        Map<String, String> guestErrors) {
        @Override
        public String toString() {
            return fault;
        }
    }

    static Stream<BrokenDevice> devices() {
        return Stream.of(
                // Wrong status: ENODEV's rule (l.164-166). The guest's driver names only clocks that exist.
                device("unknown-clock-einval", Set.of("VRTC-OP-06")),
                // The 15-byte notification fails the notification check, which judges NOTIF-01 and NOTIF-02 as one.
                // Linux's virtio_rtc refuses any response whose used length is not the response's size, so its probe
                // fails: the guest level is ERROR (the run names the kernel as the cause), not FAIL.
                new BrokenDevice("used-length-short", Set.of("VRTC-VIRTIO-04", "VRTC-NOTIF-01", "VRTC-NOTIF-02"),
                        Optional.of(Set.of()), Map.of("VRTC-GUEST-01", BINDS_NOT, "VRTC-GUEST-02", BINDS_NOT,
                        "VRTC-GUEST-06", BINDS_NOT, "VRTC-GUEST-07", BINDS_NOT, "VRTC-GUEST-08", BINDS_NOT,
                        "VRTC-GUEST-09", BINDS_NOT)),
                // ALARM-10 too: its check lets the alarm time pass between two resets with no buffer moving, a reset the
                // back end cannot see (vhost-user sends no reset; the rings restart where they stopped), so only the
                // clock reaching the alarm time (the broken rule) expires it there.
                device("alarm-never-fires", Set.of("VRTC-ALARM-07", "VRTC-ALREQ-05", "VRTC-READ-13", "VRTC-ALARM-10")),
                device("alarm-fires-early", Set.of("VRTC-ALARM-07", "VRTC-ALREQ-05", "VRTC-READ-13")),
                device("utc-steps-back", Set.of("VRTC-READ-03", "VRTC-READ-06", "VRTC-READ-07"),
                        Set.of("VRTC-GUEST-01", "VRTC-GUEST-02")),
                // CORRECT through a simulated leap second: its smeared clock is 0.5 s off UTC in mid-smear, as NOON_LINEAR
                // demands, and GUEST-01 judges UTC_SMEARED clocks as UTC within the round trip (a check bug: HostTime's
                // leap-second window is 1 s around midnight, a NOON_LINEAR smear lasts from noon to noon). GUEST-07 (the
                // RTC class device of that clock, whole seconds) allows a leap second's smear at any time: it PASSes.
                device("leap-second-now", Set.of(), Set.of("VRTC-GUEST-01")),
                // Invisible: no check judges VRTC-CTRL-08..18 (no leap second can be scheduled in the device from outside);
                // the stepping smeared clock reads the host's UTC after the leap second, so GUEST-01 passes where it fails
                // the correct device.
                device("smeared-steps-at-leap-second", Set.of(), Set.of()),
                // Only ALARM-10's check has an expiration wait for a buffer; ALARM-11's has four buffers ready.
                device("pending-notification-dropped", Set.of("VRTC-ALARM-10")),
                // The stale buffer's id is used again: ALARM-13 sees it after disabling, the notification check an empty
                // one (its id no longer posted).
                device("notification-over-stale-buffer", Set.of("VRTC-ALARM-13", "VRTC-NOTIF-01", "VRTC-NOTIF-02")));
    }

    /** Why the guest level of used-length-short ERRORs. */
    private static final String BINDS_NOT = "Linux's virtio_rtc refused 1 of 1 virtio-rtc devices at probe";

    static Stream<BrokenDevice> guestVisible() {
        return devices().filter(d -> d.guestLevel().isPresent());
    }

    private static BrokenDevice device(String fault, Set<String> deviceLevel) {
        return new BrokenDevice(fault, deviceLevel, Optional.empty(), Map.of());
    }

    private static BrokenDevice device(String fault, Set<String> deviceLevel, Set<String> guestLevel) {
        return new BrokenDevice(fault, deviceLevel, Optional.of(guestLevel), Map.of());
    }

    /** The variants that break no rule (they show what a correct device meets), not counted as faults. */
    static final Set<String> CORRECT = Set.of("leap-second-now");

    /**
     * Each fault's id and the exact clauses it FAILs, both levels (read by faults.EveryMustClauseIsProvenTest); the
     * correct variants are no faults and prove nothing.
     */
    public static Map<String, Set<String>> expectedFailSets() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        devices().filter(d -> !CORRECT.contains(d.fault())).forEach(d -> {
            out.put("reference-rtc " + d.fault(), d.deviceLevel());
            d.guestLevel().ifPresent(g -> out.put("reference-rtc " + d.fault() + " (guest)", g));
        });
        return out;
    }

    private static void selected(BrokenDevice d) {
        String only = System.getProperty("vmclock.referenceRtcFaults", "");
        Assumptions.assumeTrue(d.fault().contains(only), "not selected by -Dvmclock.referenceRtcFaults=" + only);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    @Tag("faults") // the full tier (FaultInjectionTest.FULL_TIER), as every deliberately broken implementation
    // No guest: one qtest QEMU and the back end per run, whose checks mostly wait on the device's timers.
    @Execution(ExecutionMode.CONCURRENT)
    void brokenDeviceFailsExactlyItsClauses(BrokenDevice d) {
        selected(d);
        long t0 = System.nanoTime();
        SuiteRun run = ReferenceRtcRun.run(ReferenceRtcRun.resolve(ReferenceRtcRun.broken(d.fault())), VrtcRun.DEVICE_LEVEL);
        System.out.printf("reference-rtc fault %s, device level: %.1f s; FAIL %s%n", d.fault(), (System.nanoTime() - t0) / 1e9,
                ReferenceRtcRun.reasons(run, Verdict.FAIL).keySet());
        judge(d.fault() + " (device level)", run, d.deviceLevel(), Map.of());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("guestVisible")
    @Tag("faults") // the full tier: each run boots a guest
    @ExtendWith(GuestSlots.class)
    @Execution(ExecutionMode.CONCURRENT)
    void guestSeesTheBrokenDevice(BrokenDevice d) {
        selected(d);
        long t0 = System.nanoTime();
        SuiteRun run = ReferenceRtcRun.run(ReferenceRtcRun.resolve(ReferenceRtcRun.broken(d.fault())),
                ReferenceRtcRun.GUEST_LEVEL);
        System.out.printf("reference-rtc fault %s, guest level: %.1f s; FAIL %s%n", d.fault(), (System.nanoTime() - t0) / 1e9,
                ReferenceRtcRun.reasons(run, Verdict.FAIL).keySet());
        try {
            judge(d.fault() + " (guest level)", run, d.guestLevel().orElseThrow(), d.guestErrors());
        } finally {
            keptRunDirectories(run).forEach(FileTree::deleteQuietly);
        }
    }

    /**
     * A back end that exits mid-run (at its 60th request) is the harness's ERROR for every check that meets it, naming
     * the exit and where its output is kept: no check FAILs the device for it, and nothing is left running.
     */
    @Test
    @Tag("faults")
    void aBackEndThatDiesMidRunIsErrorNeverFail() {
        Assumptions.assumeTrue("dies-mid-run".contains(System.getProperty("vmclock.referenceRtcFaults", "")));
        SuiteRun run = ReferenceRtcRun.run(ReferenceRtcRun.resolve(ReferenceRtcRun.broken("dies-mid-run")),
                VrtcRun.DEVICE_LEVEL);
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        assertThat(ReferenceRtcRun.reasons(run, Verdict.FAIL)).as("FAILs").isEmpty();
        assertThat(ReferenceRtcRun.reasons(run, Verdict.PASS)).as("checks before the back end died").isNotEmpty();
        Map<String, String> erred = ReferenceRtcRun.reasons(run, Verdict.ERROR);
        assertThat(erred).as("checks after the back end died").isNotEmpty();
        assertThat(erred.values()).allSatisfy(why -> assertThat(why).contains("the virtio-rtc back end exited with status"
                + " 3: broken_rtc.py: dies-mid-run").contains("_target/rtc-backend-bus"));
        assertThat(ProcessHandle.current().descendants().map(h -> h.info().commandLine().orElse(""))
                .filter(c -> c.contains("dies-mid-run"))).as("back ends left running").isEmpty();
    }

    /**
     * The machine directories a failed boot keeps for the console log its message names (/tmp/vmclock-vm-N): this test
     * expects that failure, so it removes them.
     */
    private static List<Path> keptRunDirectories(SuiteRun run) {
        Matcher m = KEPT.matcher(String.join("\n", ReferenceRtcRun.reasons(run, Verdict.ERROR).values()));
        List<Path> out = new ArrayList<>();
        while (m.find()) {
            Path dir = Path.of(m.group(1));
            if (dir.getFileName().toString().startsWith("vmclock-vm-") && !out.contains(dir)) {
                out.add(dir);
            }
        }
        return out;
    }

    private static final Pattern KEPT = Pattern.compile("guest console: (\\S+)/console\\.log");

    /** Exactly {@code fails} FAIL; exactly {@code errors} ERROR, each for its reason (nothing, for every fault but one). */
    private static void judge(String what, SuiteRun run, Set<String> fails, Map<String, String> errors) {
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        Map<String, String> erred = ReferenceRtcRun.reasons(run, Verdict.ERROR);
        assertThat(erred.keySet()).as("ERRORs under %s: %s", what, erred).containsExactlyInAnyOrderElementsOf(errors.keySet());
        errors.forEach((id, why) -> assertThat(erred.get(id)).as("why %s ERRORs", id).contains(why));
        assertThat(ReferenceRtcRun.reasons(run, Verdict.FAIL).keySet()).as("FAILs under %s: %s", what,
                ReferenceRtcRun.describe(run, Verdict.FAIL)).containsExactlyInAnyOrderElementsOf(fails);
    }
}
