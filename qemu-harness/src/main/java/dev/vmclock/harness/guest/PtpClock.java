package dev.vmclock.harness.guest;

import dev.vmclock.harness.virtio.rtc.ClockType;
import java.util.Optional;

/**
 * A PTP clock the guest kernel registered ({@code /sys/class/ptp/<dev>}).
 *
 * @param dev           {@code ptpN}
 * @param name          its {@code clock_name}: {@code vmclockN} from ptp_vmclock, {@code Virtio PTP type T/variant V}
 *                      from virtio_rtc
 * @param driver        the driver bound to the clock's parent device ({@code vmclock}, {@code virtio_rtc}), or null
 * @param virtioType    T of a virtio_rtc clock name, else null
 * @param virtioVariant V of a virtio_rtc clock name (the smearing variant), else null
 */
public record PtpClock(String dev, String name, String driver, Integer virtioType, Integer virtioVariant) {

    /** Clock name prefix of ptp_vmclock's clock. */
    public static final String VMCLOCK_PREFIX = "vmclock";
    /** Clock name prefix of virtio_rtc's clocks. */
    public static final String VIRTIO_PREFIX = "Virtio PTP type ";

    public boolean isVmclock() {
        return name != null && name.startsWith(VMCLOCK_PREFIX);
    }

    public boolean isVirtio() {
        return virtioType != null;
    }

    /** The virtio-rtc clock type, when this is a virtio_rtc clock of a type the spec defines. */
    public Optional<ClockType> virtioClockType() {
        return virtioType == null ? Optional.empty() : ClockType.of(virtioType);
    }

    /** The clock_name prefix the agent looks virtio_rtc's clock of {@code type} up by. */
    public static String virtioPrefix(int type) {
        return VIRTIO_PREFIX + type + "/";
    }

    @Override
    public String toString() {
        return dev + " (" + name + ")";
    }
}
