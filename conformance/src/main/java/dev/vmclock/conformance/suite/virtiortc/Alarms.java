package dev.vmclock.conformance.suite.virtiortc;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.view.VirtioRtcView;
import dev.vmclock.harness.virtio.rtc.RtcRequest;
import dev.vmclock.harness.virtio.rtc.RtcResponse;
import java.time.Duration;
import java.util.List;

/** Shared steps of the alarm checks (which all need VIRTIO_RTC_F_ALARM and a clock with VIRTIO_RTC_FLAG_ALARM_CAP). */
final class Alarms {

    static final int ALARM_CAP = 1;
    static final Duration NOTIFICATION_BOUND = Duration.ofSeconds(2);

    private Alarms() {
    }

    static List<VirtioRtcView.Clock> alarmClocks(VirtioRtcView rtc) {
        rtc.requireAlarm();
        return rtc.clocks().stream().filter(c -> c.capability().ok() && (c.flags() & ALARM_CAP) != 0).toList();
    }

    /** A clock that supports alarms, its alarm reset to (0, disabled) as the spec advises after a reset. */
    static VirtioRtcView.Clock alarmClock(VirtioRtcView rtc) {
        List<VirtioRtcView.Clock> c = alarmClocks(rtc);
        NotApplicable.unless(!c.isEmpty(), "no clock sets VIRTIO_RTC_FLAG_ALARM_CAP (see VRTC-ALARM-04)");
        ok(rtc, new RtcRequest.SetAlarm(0, c.get(0).id(), 0));
        rtc.driver().alarmNotifications(Duration.ofMillis(50), 0); // drop what the reset left
        return c.get(0);
    }

    static RtcResponse ok(VirtioRtcView rtc, RtcRequest q) {
        RtcResponse r = rtc.request(q);
        if (!r.ok()) {
            throw new AssertionError(q + " answered " + r + " for a clock with VIRTIO_RTC_FLAG_ALARM_CAP");
        }
        return r;
    }

    static long now(VirtioRtcView rtc, int clock) {
        return ok(rtc, new RtcRequest.Read(clock)).clockReading();
    }

    static List<RtcResponse> notifications(VirtioRtcView rtc, Duration within, int atLeast) {
        List<RtcResponse> n = rtc.driver().alarmNotifications(within, atLeast);
        rtc.evidence().note("alarmq notifications: " + n);
        return n;
    }
}
