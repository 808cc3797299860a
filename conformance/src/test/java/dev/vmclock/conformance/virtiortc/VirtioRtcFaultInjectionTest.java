package dev.vmclock.conformance.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Shards;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.virtiortc.faults.AlarmFaults;
import dev.vmclock.conformance.virtiortc.faults.ClockFaults;
import dev.vmclock.conformance.virtiortc.faults.RequestFaults;
import dev.vmclock.conformance.virtiortc.faults.TransportFaults;
import dev.vmclock.conformance.virtiortc.faults.VirtioRtcFault;
import dev.vmclock.conformance.virtiortc.faults.VrtcFaults;
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
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The VRTC area proves it can fail: once per broken device (decorators in {@code faults/}, wrapping the
 * target's device bus), exactly the expected clauses FAIL (the stock deviations plus the fault's own),
 * nothing ERRORs. Needs a QEMU with virtio-rtc-pci ({@code -Dvmclock.rtcImage}).
 */
@ExtendWith(Shards.class)
public class VirtioRtcFaultInjectionTest {

    static Stream<DeviceFault> faults() {
        return Stream.of(
                // READ_CROSS now "succeeds" with the buffer's untouched 0xaa bytes as its reading (READ-12).
                fault(new VrtcFaults.ErrorsReportedOk(), "VRTC-OP-02", "VRTC-OP-04", "VRTC-OP-06", "VRTC-ALARM-05", "VRTC-READ-10",
                        "VRTC-CTRL-04", "VRTC-READ-12"),
                fault(new VrtcFaults.UsedLengthShort(), "VRTC-VIRTIO-04"),
                fault(new VrtcFaults.ReadingStepsBack(), "VRTC-READ-03", "VRTC-READ-06", "VRTC-READ-07"),
                // Without a known type no clock is UTC-like: the time-standard checks are NOT_APPLICABLE.
                fault(new VrtcFaults.UndefinedClockType(), "VRTC-CTRL-01"),
                fault(new VrtcFaults.ReservedByteSet(), "VRTC-OP-14"),
                fault(new VrtcFaults.FlagBeyondFeatures(), "VRTC-OP-15"),
                fault(new VrtcFaults.WritesReadableBuffer(), "VRTC-VIRTIO-05"),
                // No clock has ALARM_CAP and the alarm requests answer EOPNOTSUPP: every other alarm check is N/A.
                fault(new VrtcFaults.AlarmOfferedNotHonoured(), "VRTC-VQ-02", "VRTC-ALARM-04", "VRTC-ALREQ-02"),
                // Clock 0 still answers: READ and CLOCK_CAP of "no clock" are OK. With no clock to pick, the stock
                // failures that need one (OP-05, OP-07, OP-09) are NOT_APPLICABLE, and ALREQ-01 has no clock to ask.
                exactly(new VrtcFaults.NumClocksZero(), "VRTC-OP-02", "VRTC-OP-06", "VRTC-OP-08", "VRTC-OP-11"),
                // Transport.
                fault(new TransportFaults.TransitionalPciId(), "VRTC-ID-01"),
                fault(new TransportFaults.Version1NotOffered(), "VRTC-VIRTIO-01"),
                fault(new TransportFaults.ResetLeavesQueueEnabled(), "VRTC-VIRTIO-03"),
                fault(new TransportFaults.StatusWithoutRoom(), "VRTC-OP-10"),
                fault(new TransportFaults.HeaderInOneDescriptor(), "VRTC-VIRTIO-06"),
                fault(new TransportFaults.ReadsUsedOutOfOrder(), "VRTC-READ-04"),
                // Requests.
                // Without CFG no clock is known: the checks that need one are NOT_APPLICABLE (so are the stock failures
                // OP-05, OP-07, OP-09 and ALREQ-01); those of malformed requests still fail.
                exactly(new RequestFaults.CfgNotAnswered(), "VRTC-VQ-01", "VRTC-OP-01", "VRTC-OP-08", "VRTC-OP-11"),
                fault(new RequestFaults.ReadNotSupported(), "VRTC-READ-02", "VRTC-OP-01", "VRTC-READ-01", "VRTC-OP-12", "VRTC-OP-13"),
                fault(new RequestFaults.ExtraRequestSpaceRefused(), "VRTC-OP-12"),
                fault(new RequestFaults.ExtraResponseSpaceZeroed(), "VRTC-OP-13"),
                fault(new RequestFaults.CrossCapFlickers(), "VRTC-OP-16"),
                fault(new RequestFaults.PhantomClock(), "VRTC-OP-18", "VRTC-OP-01"),
                fault(new RequestFaults.UndefinedStatus(), "VRTC-OP-19"),
                fault(new RequestFaults.CrossCounterGoesBack(), "VRTC-READ-11"),
                // Clocks: QEMU's UTC clock described and read as another (the UTC checks are then NOT_APPLICABLE).
                fault(new ClockFaults.SmearingOnUtcClock(), "VRTC-CTRL-02"),
                fault(new ClockFaults.SmearedClockWithoutVariant(), "VRTC-CTRL-03"),
                fault(new ClockFaults.UtcAhead(), "VRTC-CTRL-05"),
                fault(new ClockFaults.UtcCountsLeapSeconds(), "VRTC-CTRL-05", "VRTC-CTRL-06", "VRTC-CTRL-07"),
                fault(new ClockFaults.TaiReadsUtc(), "VRTC-CTRL-20", "VRTC-CTRL-21"),
                fault(new ClockFaults.MonotonicHalfRate(), "VRTC-CTRL-22", "VRTC-READ-06"),
                fault(new ClockFaults.MonotonicEpochAfterReset(), "VRTC-CTRL-23"),
                fault(new ClockFaults.MonotonicStepsBack(), "VRTC-READ-05", "VRTC-READ-03"),
                // Alarms: QEMU's device with the alarm it lacks (AlarmDevice), correct and then broken in one rule.
                fault(new AlarmFaults.AlarmsAdded()),
                fault(new AlarmFaults.AlarmFiresEarly(), "VRTC-ALARM-07", "VRTC-ALREQ-05", "VRTC-READ-13"),
                fault(new AlarmFaults.PastAlarmNotFiredOnSet(), "VRTC-ALARM-08", "VRTC-ALARM-11"),
                fault(new AlarmFaults.EnablingPastAlarmNotFired(), "VRTC-ALARM-09"),
                fault(new AlarmFaults.TwoNotificationsPerExpiration(), "VRTC-ALARM-11"),
                fault(new AlarmFaults.DisableKeepsPending(), "VRTC-ALARM-13"),
                fault(new AlarmFaults.ResetForgetsReachedAlarm(), "VRTC-ALARM-10"),
                fault(new AlarmFaults.ResetKeepsAlarmTime(), "VRTC-ALARM-02"),
                fault(new AlarmFaults.ResetKeepsAlarmEnabled(), "VRTC-ALARM-03"),
                fault(new AlarmFaults.AlarmCapMissing(), "VRTC-ALARM-04", "VRTC-ALARM-06", "VRTC-ALREQ-02"),
                fault(new AlarmFaults.ReadAlarmTimeOff(), "VRTC-ALREQ-03", "VRTC-ALREQ-07", "VRTC-ALREQ-12", "VRTC-ALARM-02",
                        "VRTC-ALARM-03"),
                fault(new AlarmFaults.ReadAlarmNeverEnabled(), "VRTC-ALREQ-04", "VRTC-ALREQ-08", "VRTC-ALREQ-09", "VRTC-ALREQ-10",
                        "VRTC-ALREQ-11", "VRTC-ALARM-02"),
                fault(new AlarmFaults.SetAlarmEnabledClearsTime(), "VRTC-ALREQ-12"),
                fault(new AlarmFaults.LargeAlarmTimeRefused(), "VRTC-ALREQ-06"),
                fault(new AlarmFaults.NotificationReservedByteSet(), "VRTC-NOTIF-01", "VRTC-NOTIF-02"));
    }

    /** A broken device and the exact clauses it FAILs. */
    record DeviceFault(VirtioRtcFault fault, Set<String> expected) {
        @Override
        public String toString() {
            return fault.id();
        }
    }

    /** Each fault's id and the exact clauses it FAILs (read by faults.EveryMustClauseIsProvenTest; ids are unique). */
    public static Map<String, Set<String>> expectedFailSets() {
        return faults().collect(Collectors.toMap(f -> f.fault().id(), DeviceFault::expected));
    }

    /** The stock deviations plus the fault's own. */
    private static DeviceFault fault(VirtioRtcFault fault, String... own) {
        Set<String> expected = new TreeSet<>(VirtioRtcStockTest.STOCK_FAILURES);
        expected.addAll(Set.of(own));
        return new DeviceFault(fault, expected);
    }

    /** Exactly {@code fails}: the fault hides what the stock deviations need. */
    private static DeviceFault exactly(VirtioRtcFault fault, String... fails) {
        return new DeviceFault(fault, Set.of(fails));
    }

    @ParameterizedTest(name = "{0}")
    @Tag("faults") // the full tier (FaultInjectionTest.FULL_TIER)
    @MethodSource("faults")
    // No guest: each run is one qtest QEMU whose checks mostly wait on the device's timers, so runs overlap
    // beyond the cores (junit-platform.properties), without a GuestSlots slot.
    @Execution(ExecutionMode.CONCURRENT)
    void brokenDeviceFailsExactlyItsClauses(DeviceFault device) {
        VirtioRtcFault fault = device.fault();
        Set<String> expected = device.expected();
        // -Dvmclock.vrtcFaults=TEXT runs only the faults whose name contains TEXT (targeted runs).
        String only = System.getProperty("vmclock.vrtcFaults", "");
        Assumptions.assumeTrue(fault.id().contains(only), "not selected by -Dvmclock.vrtcFaults=" + only);
        SuiteRun run = VrtcRun.run(fault);
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        assertThat(VrtcRun.ids(run, Verdict.ERROR)).as("ERRORs under %s: %s", fault, VrtcRun.describe(run, Verdict.ERROR))
                .isEmpty();
        assertThat(VrtcRun.ids(run, Verdict.FAIL)).as("FAILs under %s: %s", fault, VrtcRun.describe(run, Verdict.FAIL))
                .containsExactlyInAnyOrderElementsOf(expected);
    }
}
