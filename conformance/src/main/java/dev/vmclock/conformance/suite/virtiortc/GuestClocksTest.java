package dev.vmclock.conformance.suite.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.view.RunHistory;
import dev.vmclock.conformance.vm.SavedState;
import dev.vmclock.conformance.view.VirtioRtcGuestView;
import dev.vmclock.conformance.view.VirtioRtcGuestView.HostBracketed;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.guest.PtpClock;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.guest.PtpSeries;
import dev.vmclock.harness.page.VmclockPage;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.virtio.rtc.ClockType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * virtio-rtc at the guest level: the device's clocks as the Linux virtio_rtc driver serves them to guest
 * programs (PTP clocks, read with clock_gettime and the PTP_SYS_OFFSET ioctls), against the host's clock,
 * over time and across lifecycle events, and against VMClock in the same guest.
 */
@VmclockConformance
class GuestClocksTest {

    /** Back-to-back reads per clock for the never-backwards check. */
    private static final int SERIES = 2000;
    /**
     * Time between save and restore: a device that resumes the time it saved is then at least this far behind the
     * host, far outside the bound (a few ms under TCG).
     */
    private static final Duration STALE_GAP = Duration.ofSeconds(2);

    @Test
    @Clause("VRTC-GUEST-01")
    void everyClockReadsTheHostTimeOfItsType(VirtioRtcGuestView rtc) {
        List<PtpClock> clocks = rtc.clocks().stream().filter(HostTime::comparable).toList();
        NotApplicable.unless(!clocks.isEmpty(), "the device offers no UTC-like or TAI clock (the host has no reference "
                + "for the others)");
        SoftAssertions soft = new SoftAssertions();
        for (PtpClock c : clocks) {
            HostBracketed<PtpReading> b = rtc.read(c);
            PtpReading r = b.reading();
            soft.assertThat(r.gettime().errno()).as("clock_gettime(%s) errno", c).isEmpty();
            soft.assertThat(r.sysOffset().errno()).as("PTP_SYS_OFFSET on %s errno", c).isEmpty();
            judge(rtc, soft, c, b, "now");
        }
        soft.assertAll();
    }

    @Test
    @Clause("VRTC-GUEST-02")
    void noClockStepsBack(VirtioRtcGuestView rtc) {
        SoftAssertions soft = new SoftAssertions();
        for (PtpClock c : rtc.clocks()) {
            long t0 = VirtioRtcGuestView.hostRealtimeNanos();
            PtpSeries s = rtc.series(c, SERIES);
            long t1 = VirtioRtcGuestView.hostRealtimeNanos();
            if (c.virtioClockType().filter(ClockType::isUtcLike).isPresent() && HostTime.leapSecondNear(t0, t1)) {
                rtc.evidence().note(c + ": a leap second may fall in this window; its steps are not judged");
                continue;
            }
            soft.assertThat(s.errno()).as("%s: error during the series", c).isEmpty();
            soft.assertThat(s.backwards()).as("%s: readings earlier than the one before, of %d (largest step back %d ns)",
                    c, s.reads(), s.maxBackwardsNanos()).isZero();
        }
        soft.assertAll();
    }

    @Test
    @Clause("VRTC-GUEST-03")
    void clocksFollowHostTimeAfterSnapshotLoad(VirtioRtcGuestView rtc) {
        VmTarget target = rtc.target();
        target.require(Capability.SNAPSHOT);
        acrossEvent(rtc, RunHistory.Kind.SNAPSHOT_LOAD, "loadvm", () -> {
            target.saveSnapshot("vrtc-guest");
            pause();
            target.loadSnapshot("vrtc-guest");
        });
    }

    @Test
    @Clause("VRTC-GUEST-04")
    void clocksFollowHostTimeAfterLiveMigration(VirtioRtcGuestView rtc) {
        VmTarget target = rtc.target();
        target.require(Capability.LIVE_MIGRATION);
        acrossEvent(rtc, RunHistory.Kind.LIVE_MIGRATION, "live migration", () -> target.undergo(Event.LIVE_MIGRATION));
    }

    @Test
    @Clause("VRTC-GUEST-05")
    void clocksFollowHostTimeAfterRestoreFromFile(VirtioRtcGuestView rtc) {
        VmTarget target = rtc.target();
        target.require(Capability.FILE_RESTORE);
        acrossEvent(rtc, RunHistory.Kind.FILE_RESTORE, "restore from file", () -> {
            SavedState state = target.saveState();
            pause();
            target.restore(state);
        });
    }

    @Test
    @Clause("VRTC-GUEST-06")
    void vmclockAndVirtioRtcTellTheSameTime(VirtioRtcGuestView rtc, VmclockView vmclock) {
        rtc.target().require(Device.VMCLOCK); // named as the device, not as a clock the guest lacks
        List<PtpClock> clocks = rtc.clocks().stream().filter(HostTime::comparable).toList();
        NotApplicable.unless(!clocks.isEmpty(), "the device offers no UTC-like or TAI clock");
        PtpClock vm = rtc.vmclockClock().orElseThrow(() -> NotApplicable.because("the guest has no VMClock PTP clock: "
                + "VMClock publishes no time here (ptp_vmclock registers a clock only for the guest's counter with TAI, "
                + "see VMC-DRIVER-11)"));
        VmclockPage page = vmclock.page();
        SoftAssertions soft = new SoftAssertions();
        for (PtpClock c : clocks) {
            PtpReading.Method v = rtc.read(vm).reading().gettime();
            PtpReading r = rtc.read(c).reading();
            NotApplicable.unless(v.ok(), "ptp_vmclock refused to read its clock (" + v.errno().orElse("") + ")");
            long offset = HostTime.offsetFromUtc(c.virtioClockType()).orElseThrow();
            // Both as UTC, each at the middle of its own guest CLOCK_MONOTONIC_RAW bracket, so the time between
            // the two reads cancels out.
            long vmUtc = v.ptpNanos() - HostTime.TAI_MINUS_UTC_NS;
            long vmMid = (v.monorawBeforeNanos() + v.monorawAfterNanos()) / 2;
            for (PtpReading.Method m : r.methods()) {
                if (!m.ok()) {
                    continue;
                }
                long mid = (m.monorawBeforeNanos() + m.monorawAfterNanos()) / 2;
                long delta = (m.ptpNanos() - offset - vmUtc) - (mid - vmMid);
                long bound = page.timeMaxerrorNanosec() + (v.monorawAfterNanos() - v.monorawBeforeNanos()
                        + m.monorawAfterNanos() - m.monorawBeforeNanos()) / 2 + HostTime.PHC_RESOLUTION_NS;
                rtc.evidence().note(String.format("%s %s - VMClock (as UTC) = %+.1f us; bound +-%.1f us (VMClock's "
                        + "time_maxerror %d ns plus both read brackets)", c, m.name(), delta / 1e3, bound / 1e3,
                        page.timeMaxerrorNanosec()));
                soft.assertThat(Math.abs(delta)).as("%s %s: |virtio-rtc - VMClock| (ns)", c, m.name())
                        .isLessThanOrEqualTo(bound);
            }
        }
        soft.assertAll();
    }

    /**
     * Every clock read before {@code kind} and after it: the UTC-like and TAI clocks read the host's time again
     * (within the round-trip bound), and no clock reads earlier than before the event. The readings are the target's
     * history's (its probes around the step); on a machine without VMClock {@code own} runs the event with a
     * {@link #STALE_GAP} pause where a state is saved and restored.
     */
    private static void acrossEvent(VirtioRtcGuestView rtc, RunHistory.Kind kind, String event,
                                    Runnable own) {
        List<PtpClock> clocks = rtc.clocks();
        Map<PtpClock, HostBracketed<PtpReading>> before;
        Map<PtpClock, HostBracketed<PtpReading>> after;
        if (rtc.target().devices().contains(Device.VMCLOCK)) {
            RunHistory history = rtc.history();
            RunHistory.Step step = history.step(kind);
            before = history.guestBeforeOnItsTimeline(step).virtioRtc();
            after = step.guestAfter().virtioRtc();
            step.observation().steps().forEach(r -> rtc.evidence().note("the run's history: " + r));
            before.forEach((c, b) -> rtc.evidence().note(c + " before " + event + ": " + b));
            after.forEach((c, a) -> rtc.evidence().note(c + " after " + event + ": " + a));
            if (kind != RunHistory.Kind.LIVE_MIGRATION) {
                requireStaleTimeVisible(rtc, clocks, after, step, event);
            }
        } else {
            before = new LinkedHashMap<>();
            clocks.forEach(c -> before.put(c, rtc.read(c)));
            own.run();
            after = new LinkedHashMap<>();
            clocks.forEach(c -> after.put(c, rtc.read(c)));
        }
        SoftAssertions soft = new SoftAssertions();
        for (PtpClock c : clocks) {
            HostBracketed<PtpReading> b = before.get(c);
            HostBracketed<PtpReading> a = after.get(c);
            if (b == null || a == null) {
                soft.fail("%s was not read on both sides of %s (before: %s, after: %s)", c, event, b, a);
                continue;
            }
            if (HostTime.comparable(c)) {
                judge(rtc, soft, c, a, "after " + event);
            }
            if (c.virtioClockType().filter(ClockType::isUtcLike).isPresent()
                    && HostTime.leapSecondNear(b.hostBeforeNanos(), a.hostAfterNanos())) {
                continue;
            }
            long last = b.reading().methods().stream().filter(PtpReading.Method::ok)
                    .mapToLong(PtpReading.Method::ptpNanos).max().orElseThrow();
            a.reading().methods().stream().filter(PtpReading.Method::ok).forEach(m -> soft.assertThat(m.ptpNanos())
                    .as("%s %s after %s vs the last reading before it (ns)", c, m.name(), event)
                    .isGreaterThanOrEqualTo(last));
        }
        soft.assertAll();
    }

    private static void judge(VirtioRtcGuestView rtc, SoftAssertions soft, PtpClock c, HostBracketed<PtpReading> b, String when) {
        List<HostTime.Deviation> ds = HostTime.deviations(c, b);
        rtc.evidence().note(c + " " + when + ", round trip " + b.roundTripNanos() / 1000 + " us: " + ds);
        soft.assertThat(ds).as("%s %s: successful reads", c, when).isNotEmpty();
        ds.forEach(d -> soft.assertThat(Math.abs(d.offsetNanos())).as("%s %s, %s: |reading - host time| (ns)", c, when,
                d.method()).isLessThanOrEqualTo(d.boundNanos()));
    }

    /**
     * A device that resumed the time it saved would read behind the host by at least the time the restore took
     * (the machine stood still for all of it); that must be more than the bound a reading is judged in, or such a
     * device could pass. Measured in this run: the restore's duration and each reading's bound.
     */
    private static void requireStaleTimeVisible(VirtioRtcGuestView rtc, List<PtpClock> clocks,
                                                Map<PtpClock, HostBracketed<PtpReading>> after, RunHistory.Step step, String event) {
        long restoreNanos = step.observation().steps().get(step.observation().steps().size() - 1).elapsed().toNanos();
        long widest = clocks.stream().filter(HostTime::comparable).filter(after::containsKey)
                .flatMap(c -> HostTime.deviations(c, after.get(c)).stream()).mapToLong(HostTime.Deviation::boundNanos)
                .max().orElse(0);
        rtc.evidence().note(String.format("a device resuming its saved time would read at least %.1f ms behind after %s "
                + "(the restore's duration); the widest bound of a reading is %.3f ms", restoreNanos / 1e6, event, widest / 1e6));
        NotApplicable.unless(restoreNanos > widest, "the restore took " + restoreNanos / 1_000_000 + " ms, within the "
                + "bound of a reading (" + widest / 1_000_000 + " ms): a device resuming its saved time could not be told apart");
    }

    private static void pause() {
        try {
            Thread.sleep(STALE_GAP.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
