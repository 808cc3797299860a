package dev.vmclock.harness.memory;

/**
 * What a driver without a guest sees of a machine: x86 port I/O and guest-physical memory, accessed as a
 * CPU would (sized, little-endian). Over qtest every call is one command, so a host-side driver (the
 * suite's virtio driver) reaches devices exactly where guest code would.
 */
public interface IoBus extends WritableMemory {

    int inb(int port);

    int inw(int port);

    int inl(int port);

    void outb(int port, int value);

    void outw(int port, int value);

    void outl(int port, int value);

    int readb(long address);

    int readw(long address);

    long readl(long address);

    long readq(long address);

    void writeb(long address, int value);

    void writew(long address, int value);

    void writel(long address, long value);

    void writeq(long address, long value);
}
