package dev.vmclock.harness.acpi;

/** A memory resource from a {@code _CRS} resource template: [minimum, minimum + length). */
public record MemoryRange(long minimum, long maximum, long length, String descriptor) {

    public boolean isPageAligned(long pageSize) {
        return Long.remainderUnsigned(minimum, pageSize) == 0;
    }

    @Override
    public String toString() {
        return String.format("%s 0x%x-0x%x (0x%x bytes)", descriptor, minimum, maximum, length);
    }
}
