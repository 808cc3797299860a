package dev.vmclock.conformance.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Shards;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.SuiteRun;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The VRTC area proves it can fail: once per broken device (faults in {@code faults/}, selected with
 * {@code vmclock.vrtcFault}), exactly the expected clauses FAIL (the stock deviations plus the fault's own),
 * nothing ERRORs. Needs a QEMU with virtio-rtc-pci ({@code -Dvmclock.rtcImage}).
 */
@ExtendWith(Shards.class)
public class VirtioRtcFaultInjectionTest {

    static Stream<Arguments> faults() {
        return Stream.of(
                // READ_CROSS now "succeeds" with the buffer's untouched 0xaa bytes as its reading (READ-12).
                fault("errors-reported-ok", "VRTC-OP-02", "VRTC-OP-04", "VRTC-OP-06", "VRTC-ALARM-05", "VRTC-READ-10",
                        "VRTC-CTRL-04", "VRTC-READ-12"),
                fault("used-length-short", "VRTC-VIRTIO-04"),
                fault("reading-steps-back", "VRTC-READ-03", "VRTC-READ-06", "VRTC-READ-07"),
                // Without a known type no clock is UTC-like: the time-standard checks are NOT_APPLICABLE.
                fault("undefined-clock-type", "VRTC-CTRL-01"),
                fault("reserved-byte-set", "VRTC-OP-14"),
                fault("flag-beyond-features", "VRTC-OP-15"),
                fault("writes-readable-buffer", "VRTC-VIRTIO-05"),
                // No clock has ALARM_CAP and the alarm requests answer EOPNOTSUPP: every other alarm check is N/A.
                fault("alarm-offered-not-honoured", "VRTC-VQ-02", "VRTC-ALARM-04", "VRTC-ALREQ-02"),
                // Clock 0 still answers: READ and CLOCK_CAP of "no clock" are OK. With no clock to pick, the stock
                // failures that need one (OP-05, OP-07, OP-09) are NOT_APPLICABLE, and ALREQ-01 has no clock to ask.
                Arguments.of("num-clocks-zero", Set.of("VRTC-OP-02", "VRTC-OP-06", "VRTC-OP-08", "VRTC-OP-11")),
                // Transport.
                fault("transitional-pci-id", "VRTC-ID-01"),
                fault("version-1-not-offered", "VRTC-VIRTIO-01"),
                fault("reset-leaves-queue-enabled", "VRTC-VIRTIO-03"),
                fault("status-without-room", "VRTC-OP-10"),
                fault("header-in-one-descriptor", "VRTC-VIRTIO-06"),
                fault("reads-used-out-of-order", "VRTC-READ-04"),
                // Requests.
                // Without CFG no clock is known: the checks that need one are NOT_APPLICABLE (so are the stock failures
                // OP-05, OP-07, OP-09 and ALREQ-01); those of malformed requests still fail.
                Arguments.of("cfg-not-answered", Set.of("VRTC-VQ-01", "VRTC-OP-01", "VRTC-OP-08", "VRTC-OP-11")),
                fault("read-not-supported", "VRTC-READ-02", "VRTC-OP-01", "VRTC-READ-01", "VRTC-OP-12", "VRTC-OP-13"),
                fault("extra-request-space-refused", "VRTC-OP-12"),
                fault("extra-response-space-zeroed", "VRTC-OP-13"),
                fault("cross-cap-flickers", "VRTC-OP-16"),
                fault("phantom-clock", "VRTC-OP-18", "VRTC-OP-01"),
                fault("undefined-status", "VRTC-OP-19"),
                fault("cross-counter-goes-back", "VRTC-READ-11"),
                // Clocks: QEMU's UTC clock described and read as another (the UTC checks are then NOT_APPLICABLE).
                fault("smearing-on-utc-clock", "VRTC-CTRL-02"),
                fault("smeared-clock-without-variant", "VRTC-CTRL-03"),
                fault("utc-1.5s-ahead", "VRTC-CTRL-05"),
                fault("utc-counts-leap-seconds", "VRTC-CTRL-05", "VRTC-CTRL-06", "VRTC-CTRL-07"),
                fault("tai-reads-utc", "VRTC-CTRL-20", "VRTC-CTRL-21"),
                fault("monotonic-half-rate", "VRTC-CTRL-22", "VRTC-READ-06"),
                fault("monotonic-epoch-after-reset", "VRTC-CTRL-23"),
                fault("monotonic-steps-back", "VRTC-READ-05", "VRTC-READ-03"),
                // Alarms: QEMU's device with the alarm it lacks (AlarmDevice), correct and then broken in one rule.
                fault("alarms-added"),
                fault("alarm-fires-early", "VRTC-ALARM-07", "VRTC-ALREQ-05", "VRTC-READ-13"),
                fault("past-alarm-not-fired-on-set", "VRTC-ALARM-08", "VRTC-ALARM-11"),
                fault("enabling-past-alarm-not-fired", "VRTC-ALARM-09"),
                fault("two-notifications-per-expiration", "VRTC-ALARM-11"),
                fault("disable-keeps-pending", "VRTC-ALARM-13"),
                fault("reset-forgets-reached-alarm", "VRTC-ALARM-10"),
                fault("reset-keeps-alarm-time", "VRTC-ALARM-02"),
                fault("reset-keeps-alarm-enabled", "VRTC-ALARM-03"),
                fault("alarm-cap-missing", "VRTC-ALARM-04", "VRTC-ALARM-06", "VRTC-ALREQ-02"),
                fault("read-alarm-time-off", "VRTC-ALREQ-03", "VRTC-ALREQ-07", "VRTC-ALREQ-12", "VRTC-ALARM-02",
                        "VRTC-ALARM-03"),
                fault("read-alarm-never-enabled", "VRTC-ALREQ-04", "VRTC-ALREQ-08", "VRTC-ALREQ-09", "VRTC-ALREQ-10",
                        "VRTC-ALREQ-11", "VRTC-ALARM-02"),
                fault("set-alarm-enabled-clears-time", "VRTC-ALREQ-12"),
                fault("large-alarm-time-refused", "VRTC-ALREQ-06"),
                fault("notification-reserved-byte-set", "VRTC-NOTIF-01", "VRTC-NOTIF-02"));
    }

    /** Each fault's id and the exact clauses it FAILs (read by faults.EveryMustClauseIsProvenTest). */
    @SuppressWarnings("unchecked")
    public static Map<String, Set<String>> expectedFailSets() {
        return faults().map(Arguments::get).collect(Collectors.toMap(a -> (String) a[0], a -> (Set<String>) a[1]));
    }

    private static Arguments fault(String id, String... own) {
        Set<String> expected = new TreeSet<>(VirtioRtcStockTest.STOCK_FAILURES);
        expected.addAll(Set.of(own));
        return Arguments.of(id, expected);
    }

    @ParameterizedTest(name = "{0}")
    @Tag("faults") // the full tier (FaultInjectionTest.FULL_TIER)
    @MethodSource("faults")
    // No guest: each run is one qtest QEMU whose checks mostly wait on the device's timers, so runs overlap
    // beyond the cores (junit-platform.properties), without a GuestSlots slot.
    @Execution(ExecutionMode.CONCURRENT)
    void brokenDeviceFailsExactlyItsClauses(String fault, Set<String> expected) {
        // -Dvmclock.vrtcFaults=TEXT runs only the faults whose name contains TEXT (targeted runs).
        String only = System.getProperty("vmclock.vrtcFaults", "");
        Assumptions.assumeTrue(fault.contains(only), "not selected by -Dvmclock.vrtcFaults=" + only);
        SuiteRun run = VrtcRun.run(Map.of("vmclock.vrtcFault", fault));
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        assertThat(VrtcRun.ids(run, Verdict.ERROR)).as("ERRORs under %s: %s", fault, VrtcRun.describe(run, Verdict.ERROR))
                .isEmpty();
        assertThat(VrtcRun.ids(run, Verdict.FAIL)).as("FAILs under %s: %s", fault, VrtcRun.describe(run, Verdict.FAIL))
                .containsExactlyInAnyOrderElementsOf(expected);
    }
}
