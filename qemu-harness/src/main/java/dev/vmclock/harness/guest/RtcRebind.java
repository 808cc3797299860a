package dev.vmclock.harness.guest;

/**
 * The virtio_rtc driver unbound from a virtio-rtc device and bound again (agent {@code rtc_rebind}): the driver
 * resets the device on the way, and the RTC class device it registers anew reads the device's alarm.
 *
 * @param oldDev     the RTC class device before ({@code rtcN})
 * @param dev        the one registered after binding again (the same parent device; its number may differ)
 * @param parent     the virtio device ({@code virtioN})
 * @param registered RTC_WKALM_RD right after registration: what the device's READ_ALARM answered, in whole seconds
 */
public record RtcRebind(String oldDev, String dev, String parent, RtcWakeAlarm registered, long unbindNanos,
                        long bindNanos) {
}
