package dev.vmclock.conformance.virtiortc.faults;

import dev.vmclock.harness.memory.IoBus;
import dev.vmclock.harness.virtio.VirtioPciDevice;

/**
 * An {@link IoBus} that passes everything to the real machine; faults override what they break. It learns where
 * the common configuration structure is from the driver's first byte write to MMIO, which is its reset (0 to
 * device_status): the suite's driver writes nothing else byte-wide before.
 */
class ForwardingBus implements IoBus {

    protected final IoBus device;
    /** Address of {@code struct virtio_pci_common_cfg}, -1 until the driver's first reset. */
    protected long common = -1;

    ForwardingBus(IoBus device) {
        this.device = device;
    }

    @Override public byte[] read(long address, int length) { return device.read(address, length); }
    @Override public void write(long address, byte[] bytes) { device.write(address, bytes); }
    @Override public int inb(int port) { return device.inb(port); }
    @Override public int inw(int port) { return device.inw(port); }
    @Override public int inl(int port) { return device.inl(port); }
    @Override public void outb(int port, int value) { device.outb(port, value); }
    @Override public void outw(int port, int value) { device.outw(port, value); }
    @Override public void outl(int port, int value) { device.outl(port, value); }
    @Override public int readb(long address) { return device.readb(address); }
    @Override public int readw(long address) { return device.readw(address); }
    @Override public long readl(long address) { return device.readl(address); }
    @Override public long readq(long address) { return device.readq(address); }
    @Override public void writeb(long address, int value) {
        if (common < 0) {
            common = address - VirtioPciDevice.DEVICE_STATUS;
        }
        device.writeb(address, value);
    }

    /** Whether {@code address} is the common configuration register at {@code offset}. */
    protected boolean isCommon(long address, int offset) {
        return common >= 0 && address == common + offset;
    }
    @Override public void writew(long address, int value) { device.writew(address, value); }
    @Override public void writel(long address, long value) { device.writel(address, value); }
    @Override public void writeq(long address, long value) { device.writeq(address, value); }
}
