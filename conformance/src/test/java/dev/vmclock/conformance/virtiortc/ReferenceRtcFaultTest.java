package dev.vmclock.conformance.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Shards;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.SuiteRun;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults on the real path: the project's reference virtio-rtc device broken one rule at a time
 * ({@code src/test/resources/reference-rtc-faults/broken_rtc.py FAULT}, a subclass of its RtcDevice), run as a
 * vhost-user back end behind QEMU 11.1's vhost-user-rtc-pci exactly as {@code run --vhost-user-rtc} runs a user's. Each
 * broken device FAILs exactly its clauses, and nothing ERRORs: at the device level (the whole device-level VRTC area,
 * one guest-less qtest machine per run), and, for the faults a guest can see through Linux's virtio_rtc, at the guest
 * level (the VRTC-GUEST area, one booted guest per run). The reference device itself: ReferenceRtcSuiteTest.
 *
 * <p>{@code -Dvmclock.referenceRtcFaults=TEXT} runs only the faults whose name contains TEXT.
 */
@ExtendWith(Shards.class)
public class ReferenceRtcFaultTest {

    /** A variant of broken_rtc.py, its exact device-level FAIL set and, when a guest can see it, its guest-level one. */
    record BrokenDevice(String fault, Set<String> deviceLevel, Optional<Set<String>> guestLevel) {
        @Override
        public String toString() {
            return fault;
        }
    }

    static Stream<BrokenDevice> devices() {
        return Stream.of(
                device("unknown-clock-einval", Set.of()),
                device("used-length-short", Set.of(), Set.of()),
                device("alarm-never-fires", Set.of()),
                device("alarm-fires-early", Set.of()),
                device("utc-steps-back", Set.of(), Set.of()),
                device("leap-second-now", Set.of(), Set.of()),
                device("smeared-steps-at-leap-second", Set.of(), Set.of()),
                device("pending-notification-dropped", Set.of()),
                device("notification-over-stale-buffer", Set.of()));
    }

    static Stream<BrokenDevice> guestVisible() {
        return devices().filter(d -> d.guestLevel().isPresent());
    }

    private static BrokenDevice device(String fault, Set<String> deviceLevel) {
        return new BrokenDevice(fault, deviceLevel, Optional.empty());
    }

    private static BrokenDevice device(String fault, Set<String> deviceLevel, Set<String> guestLevel) {
        return new BrokenDevice(fault, deviceLevel, Optional.of(guestLevel));
    }

    /** Each fault's id and the exact clauses it FAILs, both levels (read by faults.EveryMustClauseIsProvenTest). */
    public static Map<String, Set<String>> expectedFailSets() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        devices().forEach(d -> {
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
    // No guest: one qtest QEMU and the back end per run, whose checks mostly wait on the device's timers.
    @Execution(ExecutionMode.CONCURRENT)
    void brokenDeviceFailsExactlyItsClauses(BrokenDevice d) {
        selected(d);
        long t0 = System.nanoTime();
        SuiteRun run = ReferenceRtcRun.run(ReferenceRtcRun.resolve(ReferenceRtcRun.broken(d.fault())), VrtcRun.DEVICE_LEVEL);
        System.out.printf("reference-rtc fault %s, device level: %.1f s; FAIL %s%n", d.fault(), (System.nanoTime() - t0) / 1e9,
                ReferenceRtcRun.reasons(run, Verdict.FAIL).keySet());
        judge(d.fault() + " (device level)", run, d.deviceLevel());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("guestVisible")
    @Tag("faults") // the full tier (FaultInjectionTest.FULL_TIER): each run boots a guest
    @ExtendWith(GuestSlots.class)
    @Execution(ExecutionMode.CONCURRENT)
    void guestSeesTheBrokenDevice(BrokenDevice d) {
        selected(d);
        long t0 = System.nanoTime();
        SuiteRun run = ReferenceRtcRun.run(ReferenceRtcRun.resolve(ReferenceRtcRun.broken(d.fault())),
                ReferenceRtcRun.GUEST_LEVEL);
        System.out.printf("reference-rtc fault %s, guest level: %.1f s; FAIL %s%n", d.fault(), (System.nanoTime() - t0) / 1e9,
                ReferenceRtcRun.reasons(run, Verdict.FAIL).keySet());
        judge(d.fault() + " (guest level)", run, d.guestLevel().orElseThrow());
    }

    private static void judge(String what, SuiteRun run, Set<String> expected) {
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        assertThat(ReferenceRtcRun.reasons(run, Verdict.ERROR)).as("ERRORs under %s", what).isEmpty();
        assertThat(ReferenceRtcRun.reasons(run, Verdict.FAIL).keySet()).as("FAILs under %s: %s", what,
                ReferenceRtcRun.describe(run, Verdict.FAIL)).containsExactlyInAnyOrderElementsOf(expected);
    }
}
