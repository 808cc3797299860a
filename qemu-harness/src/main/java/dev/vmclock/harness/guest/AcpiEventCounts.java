package dev.vmclock.harness.guest;

import java.util.Map;
import java.util.TreeMap;

/**
 * The guest kernel's ACPI event counters ({@code /sys/firmware/acpi/interrupts}): {@code sci} (every
 * System Control Interrupt), {@code sci_not} (SCIs no handler claimed), {@code gpe_all} and each GPE or
 * fixed event with a non-zero count; and, keyed {@code "irq <n> <chip and name>"}, the {@code /proc/interrupts}
 * lines of ACPI's own interrupts (the SCI, and Generic Event Devices, which notify through a plain
 * interrupt rather than the SCI). Absent when the guest has no ACPI.
 */
public record AcpiEventCounts(boolean present, Map<String, Long> counts) {

    public long sci() {
        return counts.getOrDefault("sci", 0L);
    }

    public long gpeAll() {
        return counts.getOrDefault("gpe_all", 0L);
    }

    /** Interrupts of ACPI Generic Event Devices (hardware-reduced ACPI's notification path). */
    public long gedInterrupts() {
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith("irq ") && e.getKey().contains("Ged"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** The counters that grew from {@code before} to this reading, with their increase. */
    public Map<String, Long> increaseSince(AcpiEventCounts before) {
        Map<String, Long> d = new TreeMap<>();
        counts.forEach((k, v) -> {
            long delta = v - before.counts.getOrDefault(k, 0L);
            if (delta != 0) {
                d.put(k, delta);
            }
        });
        return d;
    }
}
