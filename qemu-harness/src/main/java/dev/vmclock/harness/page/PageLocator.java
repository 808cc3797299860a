package dev.vmclock.harness.page;

import dev.vmclock.harness.Waits;
import dev.vmclock.harness.acpi.AcpiDevice;
import dev.vmclock.harness.acpi.AcpiTables;
import dev.vmclock.harness.memory.PhysicalMemory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Finds the VMClock page the way a guest does: the {@code _CRS} of the ACPI device whose
 * {@code _HID} is {@code AMZNC10C}. Firmware builds the tables early at boot, so this polls until they
 * appear or the timeout passes, then falls back to QEMU's documented address.
 */
public final class PageLocator {

    private static final Duration POLL = Duration.ofMillis(20);

    private PageLocator() {
    }

    public static PageLocation locate(PhysicalMemory memory, Duration timeout) {
        return fromAcpi(memory, timeout).orElse(PageLocation.QEMU_DEFAULT);
    }

    public static Optional<PageLocation> fromAcpi(PhysicalMemory memory, Duration timeout) {
        return vmclockDevices(memory, timeout).stream()
                .filter(d -> d.memoryResources().size() == 1)
                .map(d -> d.memoryResources().get(0))
                .map(r -> new PageLocation(r.minimum(), r.length(), PageLocation.Source.ACPI_CRS))
                .findFirst();
    }

    /** The {@code AMZNC10C} devices in the firmware tables; empty if the tables never appear. */
    public static List<AcpiDevice> vmclockDevices(PhysicalMemory memory, Duration timeout) {
        return Waits.poll(timeout, POLL, () -> AcpiTables.read(memory), Optional::isPresent)
                .map(t -> t.devicesWithHid(AcpiTables.VMCLOCK_HID)).orElse(List.of());
    }

}
