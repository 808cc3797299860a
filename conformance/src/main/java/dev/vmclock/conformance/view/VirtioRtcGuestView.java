package dev.vmclock.conformance.view;

import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.Evidence;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.harness.guest.PtpClock;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.guest.PtpSeries;
import dev.vmclock.harness.Device;
import java.time.Instant;
import java.util.List;

/**
 * The virtio-rtc device as the guest sees it through the Linux virtio_rtc driver: the PTP clocks the driver
 * registered for the device's clocks ({@code Virtio PTP type T/variant V}), each read in the guest with the
 * host's realtime clock read right before and right after the agent call. Built only on the target's
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
    public HostBracketedReading read(PtpClock clock) {
        target.guest().ping();
        HostBracketedReading best = null;
        List<Long> trips = new java.util.ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            long before = hostRealtimeNanos();
            PtpReading r = target.guest().ptpRead(clock);
            long after = hostRealtimeNanos();
            HostBracketedReading b = new HostBracketedReading(r, before, after);
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

    /** The host's CLOCK_REALTIME (what QEMU's virtio-rtc reads for its UTC clock), in nanoseconds. */
    public static long hostRealtimeNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /**
     * A guest reading with the host's realtime clock just before the agent request was sent and just after
     * its reply arrived: a device that reads the host's clock while serving the request reads inside.
     */
    public record HostBracketedReading(PtpReading reading, long hostBeforeNanos, long hostAfterNanos) {

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
