package dev.vmclock.harness.guest;

import java.util.List;

/**
 * The VMClock ACPI device as the guest kernel sees it: sysfs identity, the driver bound to it, its
 * memory resource in /proc/iomem and the firmware memory map (e820) entries overlapping that range.
 */
public record GuestAcpi(boolean present, String path, String hid, String modalias, Integer status, String driver,
                        Range iomem, List<MemmapEntry> e820) {

    public record Range(long start, long end, String name) {
    }

    public record MemmapEntry(long start, long end, String type) {
    }
}
