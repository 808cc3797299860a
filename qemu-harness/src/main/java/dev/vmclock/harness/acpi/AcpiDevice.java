package dev.vmclock.harness.acpi;

import java.util.List;
import java.util.Optional;

/**
 * An ACPI device as the firmware tables publish it, read from the host side: its identity objects and
 * the memory ranges of its {@code _CRS}. Strings are absent when the object is missing or is not a
 * plain string (an EISA id, a method).
 */
public record AcpiDevice(
        String table,
        String name,
        Optional<String> hid,
        Optional<String> cid,
        Optional<String> ddn,
        List<MemoryRange> memoryResources) {
}
