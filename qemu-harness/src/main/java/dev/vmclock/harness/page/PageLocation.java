package dev.vmclock.harness.page;

/** Where the VMClock page is in guest-physical memory, and how the harness learnt it. */
public record PageLocation(long address, long length, Source source) {

    /** QEMU's placement on q35/pc (hw/acpi/vmclock.c): used only when no ACPI description can be read. */
    public static final PageLocation QEMU_DEFAULT = new PageLocation(0xfeffb000L, 0x1000, Source.QEMU_DEFAULT);

    public enum Source {
        /** From the {@code _CRS} of the {@code AMZNC10C} device in the firmware's ACPI tables. */
        ACPI_CRS,
        /** QEMU's documented address, because the target publishes no readable ACPI description. */
        QEMU_DEFAULT
    }

    @Override
    public String toString() {
        return String.format("0x%x+0x%x (%s)", address, length, source);
    }
}
