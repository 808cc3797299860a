package dev.vmclock.conformance.view;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.conformance.view.VirtioRtcGuestView.HostBracketed;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.guest.AcpiEventCounts;
import dev.vmclock.harness.guest.AgentException;
import dev.vmclock.harness.guest.GuestClocks;
import dev.vmclock.harness.guest.GuestPageRead;
import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.guest.PtpClock;
import dev.vmclock.harness.Device;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What the guest saw at one moment of the run's history: the page through its read() of /dev/vmclock0
 * (or why it could not), its clocks, and its ACPI event counters (the notifications it has counted). Taken
 * right before and right after each event of the history, so that checks about what the guest sees across an
 * event need no event of their own.
 *
 * @param hostSeqCountAtFailure the host's seq_count right after a failed read; -1 without a failure or the host's view
 * @param clocks CLOCK_MONOTONIC and each vCPU's TSC; more than one sample where the TSC phase is judged
 * @param acpiEvents SCI, GPE and GED counters: a notification raised by the event is counted in the interrupt
 *     handler, which runs before the guest's user space answers the probe's first call
 * @param virtioRtc each virtio_rtc PTP clock of the guest read against the host's time, where the history judges
 *     virtio-rtc across the step (empty otherwise, and without the device)
 */
public record GuestProbe(GuestPageRead read, AgentException readFailure, long hostSeqCountAtFailure,
                         List<GuestClocks> clocks, AcpiEventCounts acpiEvents,
                         Map<PtpClock, HostBracketed<PtpReading>> virtioRtc) {

    /**
     * One read of the page, {@code clockSamples} readings of the clocks, the ACPI counters and, when {@code rtc} is
     * given and the machine has the device, a reading of each virtio_rtc clock, in that order.
     *
     * @param hostSeqCount seq_count as the host reads it now, -1 when it cannot
     */
    static GuestProbe take(VmTarget target, LongSupplier hostSeqCount, VirtioRtcGuestView rtc, int clockSamples) {
        GuestAgent guest = target.guest();
        GuestAgent.Probe probe = guest.probe(clockSamples); // one round trip: read(), clocks, ACPI counters
        // No read (no /dev/vmclock0, or no consistent page): the checks that need it say which. The host's seq_count
        // right after (a few ms later: the clocks and counters came first) says whether an update held it odd.
        long seq = probe.readFailure() == null ? -1 : hostSeqCount.getAsLong();
        Map<PtpClock, HostBracketed<PtpReading>> readings = new LinkedHashMap<>();
        if (rtc != null && target.devices().contains(Device.VIRTIO_RTC)) {
            guest.ptpClockList().stream().filter(PtpClock::isVirtio).forEach(c -> readings.put(c, rtc.read(c)));
        }
        return new GuestProbe(probe.read(), probe.readFailure(), seq, probe.clocks(), probe.acpiEvents(),
                Collections.unmodifiableMap(readings));
    }

    /**
     * The page the guest read; when it could not, mapped as {@link VmclockView#inGuest} maps a failure, judged
     * by the host's seq_count at that moment (not now: the probe may be older than the check).
     */
    public GuestPageRead page(VmclockView view) {
        if (readFailure != null && readFailure.errno().filter("ETIMEDOUT"::equals).isPresent()
                && hostSeqCountAtFailure >= 0 && (hostSeqCountAtFailure & 1) != 0) {
            throw NotApplicable.because("the guest could not read a consistent page: the host saw seq_count "
                    + hostSeqCountAtFailure + " (odd) when the guest gave up (see VMC-SEQ-06)");
        }
        return view.inGuest(() -> {
            if (readFailure != null) {
                throw readFailure;
            }
            return read;
        });
    }

    /** The guest's CLOCK_MONOTONIC at this moment (ns). */
    public long monotonicNanos() {
        return clocks.get(0).monotonicNanos();
    }
}
