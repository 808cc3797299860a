package dev.vmclock.conformance.view;

import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.Evidence;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.harness.guest.PtpClock;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.guest.PtpSeries;
import dev.vmclock.harness.guest.RtcAlarmRun;
import dev.vmclock.harness.guest.RtcDevice;
import dev.vmclock.harness.guest.RtcReading;
import dev.vmclock.harness.guest.RtcRebind;
import dev.vmclock.harness.guest.RtcWakeAlarm;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.virtio.rtc.ClockType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The virtio-rtc device as the guest sees it through the Linux virtio_rtc driver: the PTP clocks the driver
 * registered for the device's clocks ({@code Virtio PTP type T/variant V}), each read in the guest with the
 * host's realtime clock read right before and right after the agent call; and the RTC class device
 * ({@code /dev/rtcN}) the driver registers for a UTC_SMEARED clock, with its alarm. Built only on the target's
 * primitives (its guest), so a decorated target changes what this view sees.
 */
public final class VirtioRtcGuestView {

    private final VmTarget target;
    private final TargetHistory history;

    public VirtioRtcGuestView(VmTarget target, TargetHistory history) {
        this.target = target;
        this.history = history;
    }

    public VmTarget target() {
        return target;
    }

    /**
     * The run's history of the target (driven by the first check that asks): its guest probes read these clocks
     * around snapshot load, live migration and file restore. A step the target cannot do is NOT_APPLICABLE naming
     * its capability ({@link RunHistory#step}).
     */
    public RunHistory history() {
        return history.get();
    }

    public Evidence evidence() {
        return target.evidence();
    }

    /**
     * The virtio_rtc PTP clocks in the guest; NOT_APPLICABLE when the machine has no virtio-rtc device or no
     * guest, or the driver registered no PTP clock.
     */
    public List<PtpClock> clocks() {
        target.require(Device.VIRTIO_RTC);
        target.require(Capability.GUEST_AGENT);
        List<PtpClock> all = target.guest().ptpClockList();
        evidence().note("guest PTP clocks: " + all);
        List<PtpClock> virtio = all.stream().filter(PtpClock::isVirtio).toList();
        NotApplicable.unless(!virtio.isEmpty(), "the guest's virtio_rtc driver registered no PTP clock (it registers one "
                + "per device clock of a type it knows)");
        return virtio;
    }

    /** ptp_vmclock's PTP clock, when the machine has VMClock and the driver registered one. */
    public java.util.Optional<PtpClock> vmclockClock() {
        if (!target.devices().contains(Device.VMCLOCK)) {
            return java.util.Optional.empty();
        }
        return target.guest().ptpClockList().stream().filter(PtpClock::isVmclock).findFirst();
    }

    /**
     * Reads {@code clock} every way, bracketed by the host's realtime clock around the agent call: the best
     * (shortest round trip) of {@value #TRIES} calls, after a ping, so that a reconnection to the agent (after a
     * migration or restore) or a descheduled vCPU does not widen the bracket the reading is judged in.
     */
    public HostBracketed<PtpReading> read(PtpClock clock) {
        target.guest().ping();
        HostBracketed<PtpReading> best = null;
        List<Long> trips = new java.util.ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            long before = hostRealtimeNanos();
            PtpReading r = target.guest().ptpRead(clock);
            long after = hostRealtimeNanos();
            HostBracketed<PtpReading> b = new HostBracketed<>(r, before, after);
            trips.add(b.roundTripNanos() / 1000);
            if (best == null || b.roundTripNanos() < best.roundTripNanos()) {
                best = b;
            }
        }
        evidence().note("read " + clock + " (shortest of round trips " + trips + " us): " + best);
        return best;
    }

    /** Agent calls per {@link #read}, the shortest kept. */
    private static final int TRIES = 3;

    /** {@code count} back-to-back clock_gettime reads of {@code clock} in the guest. */
    public PtpSeries series(PtpClock clock, int count) {
        PtpSeries s = target.guest().ptpSeries(clock, count).orElseThrow(() -> new IllegalStateException(
                "the guest's PTP clock " + clock + " went away"));
        evidence().note("series of " + count + " reads of " + clock + ": " + s);
        return s;
    }

    /**
     * The RTC class device virtio_rtc registered ({@code /dev/rtcN}, found by its driver, never by number: the guest's
     * CMOS RTC may be rtc0); NOT_APPLICABLE when the machine has no virtio-rtc device or no guest, or the driver
     * registered none, naming why: Linux's virtio_rtc registers one only for a VIRTIO_RTC_CLOCK_UTC_SMEARED clock.
     */
    public RtcDevice rtcClassDevice() {
        target.require(Device.VIRTIO_RTC);
        target.require(Capability.GUEST_AGENT);
        List<RtcDevice> all = target.guest().rtcDevices();
        evidence().note("guest RTC class devices: " + all);
        Optional<RtcDevice> virtio = all.stream().filter(RtcDevice::isVirtio).findFirst();
        if (virtio.isPresent()) {
            return virtio.get();
        }
        List<PtpClock> ptp = target.guest().ptpClockList().stream().filter(PtpClock::isVirtio).toList();
        List<String> types = ptp.stream().map(c -> c.virtioClockType().map(ClockType::name)
                .orElse("type " + c.virtioType())).toList();
        boolean smeared = ptp.stream().anyMatch(c -> c.virtioClockType().equals(Optional.of(ClockType.UTC_SMEARED)));
        throw NotApplicable.because(smeared
                ? "the device offers a UTC_SMEARED clock, but the guest's virtio_rtc registered no RTC class device (a "
                        + "kernel without CONFIG_VIRTIO_RTC_CLASS?)"
                : "no UTC_SMEARED clock (the guest's virtio_rtc clocks: " + (types.isEmpty() ? "none" : types)
                        + "), so Linux's virtio_rtc registers no RTC class device (it does only for a "
                        + "VIRTIO_RTC_CLOCK_UTC_SMEARED clock)");
    }

    /**
     * {@link #rtcClassDevice()}, NOT_APPLICABLE unless the RTC core offers alarms on it: Linux's virtio_rtc offers
     * them only when the device offers VIRTIO_RTC_F_ALARM and sets VIRTIO_RTC_FLAG_ALARM_CAP for that clock.
     */
    public RtcDevice rtcClassDeviceWithAlarm() {
        RtcDevice d = rtcClassDevice();
        NotApplicable.unless(d.alarmFeature().isPresent(), "the guest kernel does not say whether " + d.dev() + " has an "
                + "alarm (RTC_PARAM_GET: Linux >= 5.16, agent >= 1.5.0)");
        NotApplicable.unless(d.alarmFeature().get(), "the RTC class device " + d.dev() + " has no alarm: Linux's "
                + "virtio_rtc offers one only when the device offers VIRTIO_RTC_F_ALARM and sets "
                + "VIRTIO_RTC_FLAG_ALARM_CAP for its UTC_SMEARED clock");
        return d;
    }

    /**
     * One RTC_RD_TIME of {@code rtc}, bracketed by the host's realtime clock around the agent call: the best (shortest
     * round trip) of {@value #TRIES} calls, after a ping.
     */
    public HostBracketed<RtcReading> readRtc(RtcDevice rtc) {
        target.guest().ping();
        HostBracketed<RtcReading> best = null;
        List<Long> trips = new java.util.ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            long before = hostRealtimeNanos();
            RtcReading r = target.guest().rtcRead(rtc.dev()).reading();
            long after = hostRealtimeNanos();
            HostBracketed<RtcReading> b = new HostBracketed<>(r, before, after);
            trips.add(b.roundTripNanos() / 1000);
            if (best == null || b.roundTripNanos() < best.roundTripNanos()) {
                best = b;
            }
        }
        evidence().note("RTC_RD_TIME of " + rtc.dev() + " (shortest of round trips " + trips + " us): " + best);
        return best;
    }

    /** An alarm set through the RTC class {@code rtc}, {@code aheadSeconds} after its next tick, waited for in the guest. */
    public RtcAlarmRun alarm(RtcDevice rtc, int aheadSeconds, Duration wait) {
        RtcAlarmRun run = target.guest().rtcAlarm(rtc.dev(), aheadSeconds, wait);
        evidence().note("alarm through " + rtc.dev() + ": " + run);
        return run;
    }

    /** RTC_WKALM_SET of {@code rtc} to {@code epochSeconds}, then the RTC core's alarm (RTC_WKALM_RD). */
    public RtcWakeAlarm setAlarm(RtcDevice rtc, long epochSeconds, boolean enabled) {
        RtcWakeAlarm a = target.guest().rtcWakeAlarm(rtc.dev(), OptionalLong.of(epochSeconds), enabled, false);
        evidence().note("RTC_WKALM_SET " + rtc.dev() + " to " + epochSeconds + " s, " + (enabled ? "enabled" : "disabled")
                + "; RTC_WKALM_RD: " + a);
        return a;
    }

    /**
     * Disables the alarm of virtio_rtc's RTC class device, whichever rtcN it is now (RTC_AIE_OFF: the driver then
     * disables the device's alarm); a failure is noted, not thrown (clean-up).
     */
    public void disableAlarm() {
        try {
            target.guest().rtcDevices().stream().filter(RtcDevice::isVirtio).findFirst().ifPresent(d -> evidence().note(
                    "RTC_AIE_OFF " + d.dev() + "; RTC_WKALM_RD: "
                            + target.guest().rtcWakeAlarm(d.dev(), OptionalLong.empty(), false, true)));
        } catch (RuntimeException e) {
            evidence().note("could not disable the RTC alarm: " + e.getMessage());
        }
    }

    /** Unbinds virtio_rtc from the device behind {@code rtc} and binds it again (the driver resets the device). */
    public RtcRebind rebind(RtcDevice rtc) {
        RtcRebind r = target.guest().rtcRebind(rtc.dev());
        evidence().note("virtio_rtc unbound from " + r.parent() + " (" + r.unbindNanos() / 1000 + " us) and bound again ("
                + r.bindNanos() / 1000 + " us): RTC " + r.oldDev() + " is now " + r.dev() + "; RTC_WKALM_RD right after "
                + "registration (the device's READ_ALARM): " + r.registered());
        return r;
    }

    /** The host's CLOCK_REALTIME (what QEMU's virtio-rtc reads for its UTC clock), in nanoseconds. */
    public static long hostRealtimeNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /**
     * A guest reading (a PTP clock's, an RTC_RD_TIME) with the host's realtime clock just before the agent request was
     * sent and just after its reply arrived: a device that reads the host's clock while serving the request reads inside.
     */
    public record HostBracketed<R>(R reading, long hostBeforeNanos, long hostAfterNanos) {

        public long roundTripNanos() {
            return hostAfterNanos - hostBeforeNanos;
        }

        @Override
        public String toString() {
            return reading + " within host [" + hostBeforeNanos + ", " + hostAfterNanos + "] (round trip "
                    + roundTripNanos() / 1000 + " us)";
        }
    }
}
