package dev.vmclock.harness.guest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmclock.harness.virtio.rtc.ClockType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The suite's agent in a booted Linux guest, whatever hypervisor booted it and whatever transport carries its calls
 * (virtio-serial on a unix socket, or vsock): the guest's own view of VMClock (read, mmap and poll of
 * /dev/vmclock0, the vmclock PTP clock) and of virtio-rtc (the PTP clocks and RTC devices its driver registers),
 * its clocks and its ACPI event counters. A session follows the machine across events: after a live migration
 * or a restore it reconnects to whichever process now runs the guest.
 */
public interface GuestAgent {

    /** From the hypervisor's start to the agent's first answer. */
    Duration bootTime();

    /** Any agent command with its raw JSON reply (for fields the typed methods do not carry). */
    JsonNode command(String cmd, Map<String, ?> args);

    /** pread() of {@code length} bytes at {@code offset} of /dev/vmclock0; the raw bytes returned. */
    byte[] readAt(long offset, long length);

    JsonNode ping();

    /** read() of /dev/vmclock0 (the driver applies the seq_count protocol). */
    GuestPageRead read();

    /** A read-only mmap of /dev/vmclock0, copied under the seq_count protocol; also tries a writable mapping. */
    GuestPageRead mmap();

    PollResult poll(Duration timeout);

    /**
     * Starts a poll() in the guest and returns at once, so that an event can happen while the guest waits: the
     * reply is collected by {@link PendingPoll#await()}, from whichever process then runs the guest.
     */
    PendingPoll startPoll(Duration timeout);

    /** A poll() started in the guest, collected later. */
    interface PendingPoll {
        PollResult await();
    }

    GuestAcpi acpi();

    GuestClocks clocks();

    /** The PTP clocks registered in the guest ({@code /sys/class/ptp/ptp*}). */
    List<PtpClock> ptpClockList();

    /** PTP clock names registered in the guest. */
    default List<String> ptpClocks() {
        return ptpClockList().stream().map(PtpClock::name).toList();
    }

    /** Reads the vmclock PTP clock every way (or says it is absent); a method the driver refuses carries its errno. */
    PtpReading ptpRead();

    /** Reads {@code clock} (as listed by {@link #ptpClockList()}) every way Linux offers. */
    PtpReading ptpRead(PtpClock clock);

    /** Reads virtio_rtc's PTP clock of {@code type} every way (absent when the device offers no such clock). */
    PtpReading ptpRead(ClockType type);

    /** {@code count} back-to-back clock_gettime reads of {@code clock} in the guest; empty if the clock is gone. */
    Optional<PtpSeries> ptpSeries(PtpClock clock, int count);

    /** The RTC class devices in the guest ({@code /sys/class/rtc/rtc*}), each read once with RTC_RD_TIME. */
    List<RtcDevice> rtcDevices();

    /** One RTC_RD_TIME of the RTC class device {@code dev} ({@code rtcN}), bracketed by the guest's clocks. */
    RtcDevice rtcRead(String dev);

    /**
     * An alarm set through the RTC class {@code dev}: {@code aheadSeconds} after its next tick, enabled, waited for at
     * most {@code wait} with poll() on {@code /dev/rtcN}, then the tick after the wake-up (agent {@code rtc_alarm}).
     */
    RtcAlarmRun rtcAlarm(String dev, int aheadSeconds, Duration wait);

    /**
     * The RTC core's alarm of {@code dev} (RTC_WKALM_RD), after RTC_AIE_OFF when {@code aieOff}, and after RTC_WKALM_SET
     * of {@code setEpochSeconds} ({@code enabled} or not) when one is given.
     */
    RtcWakeAlarm rtcWakeAlarm(String dev, java.util.OptionalLong setEpochSeconds, boolean enabled, boolean aieOff);

    /**
     * Unbinds the virtio_rtc driver from the virtio device behind {@code dev} and binds it again: the device is reset and
     * a new RTC class device registers, reading the device's alarm.
     */
    RtcRebind rtcRebind(String dev);

    /** The guest kernel's ACPI event counters (SCIs, GPEs). */
    AcpiEventCounts acpiEvents();

    /**
     * What the guest sees at one moment: read() of the page (or why it failed), {@code clockSamples} readings of
     * its clocks and its ACPI event counters, in that order, in one round trip where the agent can.
     */
    Probe probe(int clockSamples);

    /** One {@link #probe}'s answer. */
    record Probe(GuestPageRead read, AgentException readFailure, List<GuestClocks> clocks,
                 AcpiEventCounts acpiEvents) {
    }

    /** The kernel and what each time device's driver did in the guest. */
    AgentVersion version();

    StressResult stress(long iterations);

    /** The same loop copying only the first {@code length} bytes of the page (at least 16). */
    StressResult stress(long iterations, int length);
}
