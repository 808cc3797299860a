package dev.vmclock.harness.guest;

import java.util.Optional;

/**
 * An RTC class device in the guest ({@code /sys/class/rtc/<dev>}) and one {@code RTC_RD_TIME} of it.
 *
 * @param name         its {@code name} attribute (e.g. {@code rtc_cmos}, or virtio_rtc's device)
 * @param driver       the driver bound to its parent device, or null
 * @param epochSeconds the time read, as seconds since 1970 taking the RTC to count UTC; empty when refused
 * @param errno        the error of a refused read
 */
public record RtcDevice(String dev, String name, String driver, Optional<String> time, Optional<Long> epochSeconds,
                        Optional<String> errno, long realtimeBeforeNanos, long realtimeAfterNanos) {
}
