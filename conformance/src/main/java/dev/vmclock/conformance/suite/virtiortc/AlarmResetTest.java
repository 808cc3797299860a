package dev.vmclock.conformance.suite.virtiortc;

import static dev.vmclock.conformance.suite.virtiortc.Alarms.alarmClock;
import static dev.vmclock.conformance.suite.virtiortc.Alarms.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VirtioRtcConformance;
import dev.vmclock.conformance.view.VirtioRtcView;
import dev.vmclock.harness.virtio.rtc.RtcRequest;
import dev.vmclock.harness.virtio.rtc.RtcResponse;
import org.junit.jupiter.api.Test;

/** virtio-rtc §Alarm Operation (device normative): alarms across a device reset. */
@VirtioRtcConformance
class AlarmResetTest {

    /** READ_ALARM after an enabled alarm far in the future was set and the device reset; whether it was retained. */
    private static RtcResponse afterReset(VirtioRtcView rtc) {
        int clock = alarmClock(rtc).id();
        long far = Alarms.now(rtc, clock) + 3_600_000_000_000L;
        ok(rtc, new RtcRequest.SetAlarm(far, clock, RtcRequest.FLAG_ALARM_ENABLED));
        rtc.renegotiate(true, 4);
        RtcResponse after = ok(rtc, new RtcRequest.ReadAlarm(clock));
        boolean retained = after.alarmTime() == far && (after.flags() & 1) == 1;
        rtc.evidence().note("after reset: " + after + (retained ? " (retained)" : " (not retained)"));
        NotApplicable.unless(!retained, "the device retained the alarm across the reset (allowed: VRTC-ALARM-01)");
        return after;
    }

    @Test
    @Clause("VRTC-ALARM-02")
    void alarmTimeNotRetainedIsZero(VirtioRtcView rtc) {
        assertThat(afterReset(rtc).alarmTime()).as("alarm_time after a reset that did not retain the alarm").isZero();
    }

    @Test
    @Clause("VRTC-ALARM-03")
    void alarmNotRetainedIsDisabled(VirtioRtcView rtc) {
        assertThat(afterReset(rtc).flags() & 1).as("ALARM_ENABLED after a reset that did not retain the alarm").isZero();
    }

    @Test
    @Clause("VRTC-ALARM-10")
    void retainedPastAlarmFiresOnReset(VirtioRtcView rtc) {
        int clock = alarmClock(rtc).id();
        long far = Alarms.now(rtc, clock) + 3_600_000_000_000L;
        ok(rtc, new RtcRequest.SetAlarm(far, clock, RtcRequest.FLAG_ALARM_ENABLED));
        rtc.renegotiate(true, 4);
        RtcResponse kept = ok(rtc, new RtcRequest.ReadAlarm(clock));
        NotApplicable.unless(kept.alarmTime() == far && (kept.flags() & 1) == 1,
                "the device does not retain an enabled alarm across a reset (allowed: VRTC-ALARM-01): " + kept);
        ok(rtc, new RtcRequest.SetAlarm(Alarms.now(rtc, clock) + 100_000_000L, clock, RtcRequest.FLAG_ALARM_ENABLED));
        rtc.renegotiate(true, 0);
        sleep(300); // the alarm time passes while the device is reset with no alarmq buffer
        rtc.renegotiate(true, 4);
        assertThat(Alarms.notifications(rtc, Alarms.NOTIFICATION_BOUND, 1)).as("notification after the reset").isNotEmpty();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
