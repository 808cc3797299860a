package dev.vmclock.harness.guest;

import java.util.Optional;

/**
 * {@code RTC_WKALM_RD} of an RTC class device: the RTC core's alarm. Right after the RTC registered it is what the
 * driver's {@code read_alarm} answered (for virtio_rtc: the device's READ_ALARM, in whole seconds); after that, what
 * was set through the RTC class.
 *
 * @param errno the error of a refused ioctl (then the other fields mean nothing)
 */
public record RtcWakeAlarm(Optional<String> errno, boolean enabled, boolean pending, String time, long epochSeconds) {

    public boolean ok() {
        return errno.isEmpty();
    }

    @Override
    public String toString() {
        return ok() ? time + " (" + epochSeconds + " s), " + (enabled ? "enabled" : "disabled") + (pending ? ", pending" : "")
                : "refused " + errno.get();
    }
}
