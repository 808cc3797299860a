package dev.vmclock.harness.virtio;

import dev.vmclock.harness.memory.IoBus;

/**
 * PCI configuration space of one function through the x86 configuration mechanism #1 (address at port
 * 0xcf8, data at 0xcfc): how firmware and a guest kernel reach it before any BAR is mapped.
 */
public final class PciConfig {

    public static final int ADDRESS_PORT = 0xcf8;
    public static final int DATA_PORT = 0xcfc;

    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int REVISION = 0x08;
    public static final int CLASS_CODE = 0x09;
    public static final int HEADER_TYPE = 0x0e;
    public static final int BAR0 = 0x10;
    public static final int SUBSYSTEM_ID = 0x2e;
    public static final int CAPABILITIES = 0x34;

    public static final int COMMAND_MEMORY = 1 << 1;
    public static final int COMMAND_BUS_MASTER = 1 << 2;
    public static final int STATUS_CAP_LIST = 1 << 4;

    private final IoBus bus;
    private final int busNumber;
    private final int device;
    private final int function;

    public PciConfig(IoBus bus, int busNumber, int device, int function) {
        this.bus = bus;
        this.busNumber = busNumber;
        this.device = device;
        this.function = function;
    }

    private void select(int offset) {
        bus.outl(ADDRESS_PORT, 0x80000000 | busNumber << 16 | device << 11 | function << 8 | (offset & 0xfc));
    }

    public int readb(int offset) {
        select(offset);
        return bus.inb(DATA_PORT + (offset & 3));
    }

    public int readw(int offset) {
        select(offset);
        return bus.inw(DATA_PORT + (offset & 2));
    }

    public int readl(int offset) {
        select(offset);
        return bus.inl(DATA_PORT);
    }

    public void writew(int offset, int value) {
        select(offset);
        bus.outw(DATA_PORT + (offset & 2), value);
    }

    public void writel(int offset, int value) {
        select(offset);
        bus.outl(DATA_PORT, value);
    }

    public int vendorId() {
        return readw(VENDOR_ID);
    }

    public int deviceId() {
        return readw(DEVICE_ID);
    }

    /** {@code bb:dd.f}, as QEMU and lspci print it. */
    public String address() {
        return String.format("%02x:%02x.%x", busNumber, device, function);
    }
}
