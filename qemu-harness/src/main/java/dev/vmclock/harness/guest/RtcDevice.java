package dev.vmclock.harness.guest;

import java.util.Optional;

/**
 * An RTC class device in the guest ({@code /sys/class/rtc/<dev>}) and one {@code RTC_RD_TIME} of it.
 *
 * @param dev          {@code rtcN} (the number says nothing: find virtio_rtc's by {@link #driver} or {@link #parent})
 * @param name         its {@code name} attribute (e.g. {@code rtc_cmos 00:01}, or virtio_rtc's {@code virtio_rtc virtio1})
 * @param driver       the driver bound to its parent device ({@code rtc_cmos}, {@code virtio_rtc}), or null
 * @param parent       the parent device's name ({@code virtio1}, {@code 00:01}), or null
 * @param alarmFeature whether the RTC core offers alarms on it ({@code RTC_FEATURE_ALARM} from {@code RTC_PARAM_GET});
 *                     empty when the guest kernel does not say (agent < 1.5.0, Linux < 5.16)
 * @param reading      one {@code RTC_RD_TIME}, bracketed by the guest's clocks
 */
public record RtcDevice(String dev, String name, String driver, String parent, Optional<Boolean> alarmFeature,
                        RtcReading reading) {

    /** The driver of the RTC class devices of virtio-rtc clocks. */
    public static final String VIRTIO_DRIVER = "virtio_rtc";

    /** Registered by the Linux virtio_rtc driver (for a UTC_SMEARED clock of a virtio-rtc device). */
    public boolean isVirtio() {
        return VIRTIO_DRIVER.equals(driver);
    }

    /** The time read, as seconds since 1970 taking the RTC to count UTC; empty when refused. */
    public Optional<Long> epochSeconds() {
        return reading.epochSeconds();
    }

    @Override
    public String toString() {
        return dev + " (" + name + ", driver " + driver + ", parent " + parent + ", alarm "
                + alarmFeature.map(String::valueOf).orElse("?") + ")";
    }
}
