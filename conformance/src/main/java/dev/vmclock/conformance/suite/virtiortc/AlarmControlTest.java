package dev.vmclock.conformance.suite.virtiortc;

import static dev.vmclock.conformance.suite.virtiortc.Alarms.alarmClock;
import static dev.vmclock.conformance.suite.virtiortc.Alarms.ok;
import static dev.vmclock.conformance.suite.virtiortc.StatusTest.answered;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VirtioRtcConformance;
import dev.vmclock.conformance.view.VirtioRtcView;
import dev.vmclock.harness.virtio.rtc.RawRequest;
import dev.vmclock.harness.virtio.rtc.RtcRequest;
import dev.vmclock.harness.virtio.rtc.RtcResponse;
import dev.vmclock.harness.virtio.rtc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/** virtio-rtc §Alarm Control Requests (device normative) and §Alarm Operation's rules on the feature. */
@VirtioRtcConformance
class AlarmControlTest {

    private static List<RtcRequest> alarmRequests(int clock) {
        return List.of(new RtcRequest.ReadAlarm(clock), new RtcRequest.SetAlarm(0, clock, 0),
                new RtcRequest.SetAlarmEnabled(clock, 0));
    }

    @Test
    @Clause("VRTC-ALARM-05")
    void alarmRequestsRefusedWithoutTheAlarmFeature(VirtioRtcView rtc) {
        rtc.renegotiate(false, 0);
        for (VirtioRtcView.Clock c : rtc.clocks()) {
            for (RtcRequest q : alarmRequests(c.id())) {
                RtcResponse r = answered(rtc, RawRequest.of(q));
                assertThat(r.status()).as("%s without VIRTIO_RTC_F_ALARM negotiated: %s", q, r).isNotEqualTo(Status.OK.code());
            }
        }
    }

    @Test
    @Clause("VRTC-ALREQ-01")
    void alarmRequestsAreEnodevWithoutTheAlarmFeature(VirtioRtcView rtc) {
        rtc.renegotiate(false, 0);
        for (VirtioRtcView.Clock c : rtc.clocks()) {
            for (RtcRequest q : alarmRequests(c.id())) {
                RtcResponse r = answered(rtc, RawRequest.of(q));
                assertThat(r.status()).as("%s without VIRTIO_RTC_F_ALARM negotiated: %s", q, r)
                        .isEqualTo(Status.ENODEV.code());
            }
        }
    }

    @Test
    @Clause("VRTC-ALREQ-02")
    void clockWithoutAlarmIsEnodev(VirtioRtcView rtc) {
        rtc.requireAlarm();
        List<VirtioRtcView.Clock> without = rtc.describedClocks().stream().filter(c -> (c.flags() & Alarms.ALARM_CAP) == 0).toList();
        NotApplicable.unless(!without.isEmpty(), "every clock sets VIRTIO_RTC_FLAG_ALARM_CAP");
        for (VirtioRtcView.Clock c : without) {
            for (RtcRequest q : alarmRequests(c.id())) {
                RtcResponse r = answered(rtc, RawRequest.of(q));
                assertThat(r.status()).as("%s for a clock without ALARM_CAP: %s", q, r).isEqualTo(Status.ENODEV.code());
            }
        }
    }

    @Test
    @Clause({"VRTC-ALREQ-03", "VRTC-ALREQ-07"})
    void readAlarmReturnsTheTimeSet(VirtioRtcView rtc) {
        int clock = alarmClock(rtc).id();
        long far = Alarms.now(rtc, clock) + 3_600_000_000_000L;
        for (long t : new long[] {far, 1, far + 7}) {
            ok(rtc, new RtcRequest.SetAlarm(t, clock, 0));
            assertThat(ok(rtc, new RtcRequest.ReadAlarm(clock)).alarmTime()).as("alarm_time after SET_ALARM %d", t)
                    .isEqualTo(t);
        }
    }

    @Test
    @Clause("VRTC-ALREQ-04")
    void readAlarmReportsWhetherEnabled(VirtioRtcView rtc) {
        int clock = alarmClock(rtc).id();
        long far = Alarms.now(rtc, clock) + 3_600_000_000_000L;
        ok(rtc, new RtcRequest.SetAlarm(far, clock, RtcRequest.FLAG_ALARM_ENABLED));
        assertThat(ok(rtc, new RtcRequest.ReadAlarm(clock)).flags() & 1).as("ALARM_ENABLED after enabling").isEqualTo(1);
        ok(rtc, new RtcRequest.SetAlarm(far, clock, 0));
        assertThat(ok(rtc, new RtcRequest.ReadAlarm(clock)).flags() & 1).as("ALARM_ENABLED after disabling").isZero();
    }

    @Test
    @Clause("VRTC-ALREQ-06")
    void anyAlarmTimeIsAccepted(VirtioRtcView rtc) {
        int clock = alarmClock(rtc).id();
        for (long t : new long[] {0, 1, Long.MAX_VALUE, -1L}) {
            RtcResponse r = rtc.request(new RtcRequest.SetAlarm(t, clock, 0));
            assertThat(r.status()).as("SET_ALARM alarm_time 0x%x (disabled): %s", t, r).isEqualTo(Status.OK.code());
        }
    }

    @Test
    @Clause({"VRTC-ALREQ-08", "VRTC-ALREQ-09"})
    void setAlarmFollowsTheEnabledFlag(VirtioRtcView rtc) {
        int clock = alarmClock(rtc).id();
        long far = Alarms.now(rtc, clock) + 3_600_000_000_000L;
        for (int flags : new int[] {RtcRequest.FLAG_ALARM_ENABLED, 0, RtcRequest.FLAG_ALARM_ENABLED, 0}) {
            ok(rtc, new RtcRequest.SetAlarm(far, clock, flags));
            assertThat(ok(rtc, new RtcRequest.ReadAlarm(clock)).flags() & 1).as("enabled after SET_ALARM flags %d", flags)
                    .isEqualTo(flags);
        }
    }

    @Test
    @Clause({"VRTC-ALREQ-10", "VRTC-ALREQ-11"})
    void setAlarmEnabledFollowsTheFlag(VirtioRtcView rtc) {
        int clock = alarmClock(rtc).id();
        ok(rtc, new RtcRequest.SetAlarm(Alarms.now(rtc, clock) + 3_600_000_000_000L, clock, 0));
        for (int flags : new int[] {RtcRequest.FLAG_ALARM_ENABLED, 0}) {
            ok(rtc, new RtcRequest.SetAlarmEnabled(clock, flags));
            assertThat(ok(rtc, new RtcRequest.ReadAlarm(clock)).flags() & 1)
                    .as("enabled after SET_ALARM_ENABLED flags %d", flags).isEqualTo(flags);
        }
    }

    @Test
    @Clause("VRTC-ALREQ-12")
    void setAlarmEnabledKeepsTheTime(VirtioRtcView rtc) {
        int clock = alarmClock(rtc).id();
        long far = Alarms.now(rtc, clock) + 3_600_000_000_000L;
        ok(rtc, new RtcRequest.SetAlarm(far, clock, 0));
        ok(rtc, new RtcRequest.SetAlarmEnabled(clock, RtcRequest.FLAG_ALARM_ENABLED));
        ok(rtc, new RtcRequest.SetAlarmEnabled(clock, 0));
        assertThat(ok(rtc, new RtcRequest.ReadAlarm(clock)).alarmTime()).as("alarm_time after SET_ALARM_ENABLED")
                .isEqualTo(far);
    }
}
