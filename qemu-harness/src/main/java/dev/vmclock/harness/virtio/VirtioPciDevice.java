package dev.vmclock.harness.virtio;

import dev.vmclock.harness.memory.IoBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A modern virtio PCI device (virtio 1.x §4.1) driven from the host over an {@link IoBus}, with no
 * firmware having run: the driver finds the function by scanning bus 0, sizes and programs the BARs its
 * capabilities name, enables memory space and bus mastering, then talks to the common, notify, ISR and
 * device configuration structures.
 */
public final class VirtioPciDevice {

    public static final int VENDOR = 0x1af4;
    /** Modern (non-transitional) device ids are 0x1040 + the virtio device id. */
    public static final int MODERN_ID_BASE = 0x1040;

    // struct virtio_pci_common_cfg
    public static final int DEVICE_FEATURE_SELECT = 0x00;
    public static final int DEVICE_FEATURE = 0x04;
    public static final int DRIVER_FEATURE_SELECT = 0x08;
    public static final int DRIVER_FEATURE = 0x0c;
    public static final int CONFIG_MSIX_VECTOR = 0x10;
    public static final int NUM_QUEUES = 0x12;
    public static final int DEVICE_STATUS = 0x14;
    public static final int CONFIG_GENERATION = 0x15;
    public static final int QUEUE_SELECT = 0x16;
    public static final int QUEUE_SIZE = 0x18;
    public static final int QUEUE_MSIX_VECTOR = 0x1a;
    public static final int QUEUE_ENABLE = 0x1c;
    public static final int QUEUE_NOTIFY_OFF = 0x1e;
    public static final int QUEUE_DESC = 0x20;
    public static final int QUEUE_DRIVER = 0x28;
    public static final int QUEUE_DEVICE = 0x30;
    private static final int NO_VECTOR = 0xffff;

    private final IoBus bus;
    private final PciConfig config;
    private final List<VirtioPciCap> caps;
    private final long[] barAddress;
    private final VirtioPciCap common;
    private final VirtioPciCap notify;
    private final Optional<VirtioPciCap> isr;
    private final Optional<VirtioPciCap> device;

    private VirtioPciDevice(IoBus bus, PciConfig config, List<VirtioPciCap> caps, long[] barAddress) {
        this.bus = bus;
        this.config = config;
        this.caps = List.copyOf(caps);
        this.barAddress = barAddress;
        this.common = cap(VirtioPciCap.COMMON_CFG).orElseThrow(() -> new VirtioException(
                "virtio device at " + config.address() + " has no common configuration capability"));
        this.notify = cap(VirtioPciCap.NOTIFY_CFG).orElseThrow(() -> new VirtioException(
                "virtio device at " + config.address() + " has no notification capability"));
        this.isr = cap(VirtioPciCap.ISR_CFG);
        this.device = cap(VirtioPciCap.DEVICE_CFG);
    }

    /**
     * Finds the first function on bus 0 with the modern id of virtio device {@code virtioId}, maps its
     * BARs from {@code mmioBase} upwards and enables it. Empty when no such function exists.
     */
    public static Optional<VirtioPciDevice> find(IoBus bus, int virtioId, long mmioBase) {
        for (int dev = 0; dev < 32; dev++) {
            for (int fn = 0; fn < 8; fn++) {
                PciConfig c = new PciConfig(bus, 0, dev, fn);
                int vendor = c.vendorId();
                if (vendor == 0xffff) {
                    if (fn == 0) {
                        break;
                    }
                    continue;
                }
                if (vendor == VENDOR && isVirtio(c, virtioId)) {
                    return Optional.of(attach(bus, c, mmioBase));
                }
                if (fn == 0 && (c.readb(PciConfig.HEADER_TYPE) & 0x80) == 0) {
                    break; // single-function device
                }
            }
        }
        return Optional.empty();
    }

    /** Modern id 0x1040 + id, or a transitional id (0x1000..0x103f) whose subsystem id names the device. */
    private static boolean isVirtio(PciConfig c, int virtioId) {
        int id = c.deviceId();
        return id == MODERN_ID_BASE + virtioId || (id >= 0x1000 && id < MODERN_ID_BASE && c.readw(PciConfig.SUBSYSTEM_ID) == virtioId);
    }

    private static VirtioPciDevice attach(IoBus bus, PciConfig c, long mmioBase) {
        List<VirtioPciCap> caps = readCaps(c);
        long[] addr = new long[6];
        long next = mmioBase;
        c.writew(PciConfig.COMMAND, 0); // no decoding while BARs move
        // The PCI configuration access capability names no BAR of its own (its bar field is the driver's to set).
        for (int bar : caps.stream().filter(k -> k.cfgType() != VirtioPciCap.PCI_CFG).mapToInt(VirtioPciCap::bar)
                .filter(b -> b < 6).distinct().sorted().toArray()) {
            int reg = PciConfig.BAR0 + 4 * bar;
            int original = c.readl(reg);
            if ((original & 1) != 0) {
                throw new VirtioException("BAR" + bar + " of " + c.address() + " is an I/O BAR; the driver maps memory BARs only");
            }
            boolean is64 = ((original >> 1) & 3) == 2;
            c.writel(reg, 0xffffffff);
            long mask = c.readl(reg) & 0xfffffff0L;
            long high = 0xffffffffL;
            if (is64) {
                c.writel(reg + 4, 0xffffffff);
                high = c.readl(reg + 4) & 0xffffffffL;
            }
            long size = -((high << 32) | mask) & (is64 ? -1L : 0xffffffffL);
            next = (next + size - 1) & -size;
            c.writel(reg, (int) next);
            if (is64) {
                c.writel(reg + 4, (int) (next >>> 32));
            }
            addr[bar] = next;
            next += size;
        }
        c.writew(PciConfig.COMMAND, PciConfig.COMMAND_MEMORY | PciConfig.COMMAND_BUS_MASTER);
        return new VirtioPciDevice(bus, c, caps, addr);
    }

    private static List<VirtioPciCap> readCaps(PciConfig c) {
        List<VirtioPciCap> out = new ArrayList<>();
        if ((c.readw(PciConfig.STATUS) & PciConfig.STATUS_CAP_LIST) == 0) {
            return out;
        }
        int ptr = c.readb(PciConfig.CAPABILITIES) & 0xfc;
        for (int guard = 0; ptr != 0 && guard < 48; guard++) {
            int id = c.readb(ptr);
            int nextPtr = c.readb(ptr + 1) & 0xfc;
            if (id == VirtioPciCap.VENDOR_SPECIFIC) {
                int type = c.readb(ptr + 3);
                int bar = c.readb(ptr + 4);
                long offset = c.readl(ptr + 8) & 0xffffffffL;
                long length = c.readl(ptr + 12) & 0xffffffffL;
                long mult = type == VirtioPciCap.NOTIFY_CFG ? c.readl(ptr + 16) & 0xffffffffL : 0;
                out.add(new VirtioPciCap(ptr, type, bar, offset, length, mult));
            }
            ptr = nextPtr;
        }
        return out;
    }

    /** The first capability of this type (the spec asks drivers to use the first one they can). */
    public Optional<VirtioPciCap> cap(int cfgType) {
        return caps.stream().filter(k -> k.cfgType() == cfgType && k.bar() < 6 && k.cfgType() != VirtioPciCap.PCI_CFG)
                .findFirst();
    }

    public List<VirtioPciCap> caps() {
        return caps;
    }

    public PciConfig pci() {
        return config;
    }

    public IoBus bus() {
        return bus;
    }

    private long at(VirtioPciCap cap, long offset) {
        return barAddress[cap.bar()] + cap.offset() + offset;
    }

    public int status() {
        return bus.readb(at(common, DEVICE_STATUS));
    }

    public void status(int value) {
        bus.writeb(at(common, DEVICE_STATUS), value);
    }

    /** Writes 0 to device_status and waits until the device reads back 0 (virtio 1.x §4.1.4.3.2). */
    public void reset(Duration timeout) {
        status(0);
        long deadline = System.nanoTime() + timeout.toNanos();
        int s;
        while ((s = status()) != 0) {
            if (System.nanoTime() > deadline) {
                throw new VirtioException("device status still " + DeviceStatus.describe(s) + " "
                        + timeout.toMillis() + " ms after writing 0 (reset)");
            }
            Thread.onSpinWait();
        }
    }

    /** All 64 feature bits the device offers. */
    public long deviceFeatures() {
        bus.writel(at(common, DEVICE_FEATURE_SELECT), 0);
        long low = bus.readl(at(common, DEVICE_FEATURE));
        bus.writel(at(common, DEVICE_FEATURE_SELECT), 1);
        long high = bus.readl(at(common, DEVICE_FEATURE));
        return high << 32 | low;
    }

    public void driverFeatures(long features) {
        bus.writel(at(common, DRIVER_FEATURE_SELECT), 0);
        bus.writel(at(common, DRIVER_FEATURE), features & 0xffffffffL);
        bus.writel(at(common, DRIVER_FEATURE_SELECT), 1);
        bus.writel(at(common, DRIVER_FEATURE), features >>> 32);
    }

    public int numQueues() {
        return bus.readw(at(common, NUM_QUEUES));
    }

    /** The queue's maximum size as the device offers it; 0 means the queue does not exist. */
    public int queueSize(int queue) {
        bus.writew(at(common, QUEUE_SELECT), queue);
        return bus.readw(at(common, QUEUE_SIZE));
    }

    /** queue_enable of queue {@code queue}: 1 once the driver enabled it, 0 after a reset (virtio 1.x §4.1.4.3.2). */
    public int queueEnable(int queue) {
        bus.writew(at(common, QUEUE_SELECT), queue);
        return bus.readw(at(common, QUEUE_ENABLE));
    }

    /** Lays queue {@code queue} out at {@code base} with {@code size} entries and enables it. */
    public SplitQueue setUpQueue(int queue, int size, long base) {
        bus.writew(at(common, QUEUE_SELECT), queue);
        bus.writew(at(common, QUEUE_SIZE), size);
        SplitQueue q = new SplitQueue(bus, queue, size, base, () -> notify(queue), this::status);
        bus.writew(at(common, QUEUE_MSIX_VECTOR), NO_VECTOR);
        bus.writeq(at(common, QUEUE_DESC), q.descriptorTable());
        bus.writeq(at(common, QUEUE_DRIVER), q.availRing());
        bus.writeq(at(common, QUEUE_DEVICE), q.usedRing());
        bus.writew(at(common, QUEUE_ENABLE), 1);
        return q;
    }

    /** Notifies the device about queue {@code queue} through the notify structure. */
    public void notify(int queue) {
        bus.writew(at(common, QUEUE_SELECT), queue);
        long off = bus.readw(at(common, QUEUE_NOTIFY_OFF));
        bus.writew(at(notify, off * notify.notifyOffMultiplier()), queue);
    }

    /** Reads (and so clears) the ISR status byte; 0 when the device has no ISR structure. */
    public int isr() {
        return isr.map(c -> bus.readb(at(c, 0))).orElse(0);
    }

    public Optional<VirtioPciCap> deviceConfig() {
        return device;
    }

    public void noConfigInterrupts() {
        bus.writew(at(common, CONFIG_MSIX_VECTOR), NO_VECTOR);
    }

    @Override
    public String toString() {
        return String.format("virtio-pci %04x:%04x at %s", config.vendorId(), config.deviceId(), config.address());
    }
}
