package dev.vmclock.harness.memory;

/**
 * A guest-physical range that a RAM file cannot answer for: part of it is not RAM (an MMIO hole, device memory such as
 * QEMU's VMClock page, or past the end of RAM). A caller that needs such a range needs another view (QMP pmemsave, qtest).
 */
public final class NotInRamException extends IllegalArgumentException {

    private final long address;
    private final int length;

    public NotInRamException(long address, int length, long firstOutside, RamLayout layout) {
        super(String.format("guest-physical 0x%x+0x%x is not all guest RAM (0x%x is not; %s): device memory and MMIO"
                + " are not in a RAM file", address, length, firstOutside, layout));
        this.address = address;
        this.length = length;
    }

    public long address() {
        return address;
    }

    public int length() {
        return length;
    }
}
