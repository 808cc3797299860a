package dev.vmclock.conformance.virtiortc.faults;

import dev.vmclock.harness.memory.IoBus;

/** An {@link IoBus} that passes everything to the real machine; faults override what they break. */
class ForwardingBus implements IoBus {

    protected final IoBus device;

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
    @Override public void writeb(long address, int value) { device.writeb(address, value); }
    @Override public void writew(long address, int value) { device.writew(address, value); }
    @Override public void writel(long address, long value) { device.writel(address, value); }
    @Override public void writeq(long address, long value) { device.writeq(address, value); }
}
