package dev.vmclock.conformance.virtiortc.faults;

import dev.vmclock.harness.memory.IoBus;
import dev.vmclock.harness.virtio.PciConfig;
import dev.vmclock.harness.virtio.VirtioPciDevice;
import dev.vmclock.harness.virtio.rtc.MsgType;
import dev.vmclock.harness.virtio.rtc.Status;
import java.util.List;

/** Broken devices whose fault is in the virtio transport: PCI ids, feature bits, reset, descriptors, used ring. */
public final class TransportFaults {

    private TransportFaults() {
    }

    /**
     * The function presents a device id from the transitional range (0x1011) with subsystem id 17, so a driver
     * still finds it, instead of the modern id 0x1051 a device without a legacy interface has.
     */
    public static final class TransitionalPciId implements VirtioRtcFault {
        public String id() {
            return "transitional-pci-id";
        }

        public IoBus wrap(IoBus d) {
            return new ForwardingBus(d) {
                int selected;
                int function = -1;

                @Override
                public void outl(int port, int value) {
                    super.outl(port, value);
                    if (port == PciConfig.ADDRESS_PORT) {
                        selected = value;
                    }
                }

                @Override
                public int inw(int port) {
                    int v = super.inw(port);
                    int offset = selected & 0xfc;
                    if (port == PciConfig.DATA_PORT + 2 && offset == PciConfig.VENDOR_ID && v == VirtioPciDevice.MODERN_ID_BASE + 17) {
                        function = selected & ~0xff;
                        return 0x1011;
                    }
                    // A transitional id names its device in the subsystem id.
                    if (port == PciConfig.DATA_PORT + 2 && offset == (PciConfig.SUBSYSTEM_ID & 0xfc)
                            && (selected & ~0xff) == function) {
                        return 17;
                    }
                    return v;
                }
            };
        }
    }

    /**
     * VIRTIO_F_VERSION_1 (bit 32) is missing from device_feature, though the device works as a modern one: it
     * takes the driver's features as if the bit were accepted.
     */
    public static final class Version1NotOffered implements VirtioRtcFault {
        public String id() {
            return "version-1-not-offered";
        }

        public IoBus wrap(IoBus d) {
            return new ForwardingBus(d) {
                long deviceSelect;
                long driverSelect;

                @Override
                public void writel(long address, long value) {
                    if (isCommon(address, VirtioPciDevice.DEVICE_FEATURE_SELECT)) {
                        deviceSelect = value;
                    } else if (isCommon(address, VirtioPciDevice.DRIVER_FEATURE_SELECT)) {
                        driverSelect = value;
                    } else if (isCommon(address, VirtioPciDevice.DRIVER_FEATURE) && driverSelect == 1) {
                        value |= 1; // what this device needs internally, whatever the driver accepted
                    }
                    super.writel(address, value);
                }

                @Override
                public long readl(long address) {
                    long v = super.readl(address);
                    return isCommon(address, VirtioPciDevice.DEVICE_FEATURE) && deviceSelect == 1 ? v & ~1L : v;
                }
            };
        }
    }

    /** A reset (0 written to device_status) reads back 0, but queue 0 still reads as enabled. */
    public static final class ResetLeavesQueueEnabled implements VirtioRtcFault {
        public String id() {
            return "reset-leaves-queue-enabled";
        }

        public IoBus wrap(IoBus d) {
            return new ForwardingBus(d) {
                int select;

                @Override
                public void writew(long address, int value) {
                    if (isCommon(address, VirtioPciDevice.QUEUE_SELECT)) {
                        select = value;
                    }
                    super.writew(address, value);
                }

                @Override
                public int readw(long address) {
                    int v = super.readw(address);
                    return isCommon(address, VirtioPciDevice.QUEUE_ENABLE) && select == 0 ? 1 : v;
                }
            };
        }
    }

    /**
     * A chain with no room for the status (a zero-length device-writable buffer) gets one anyway: the device
     * writes VIRTIO_RTC_S_OK at that buffer's address when the chain becomes available.
     */
    public static final class StatusWithoutRoom implements VirtioRtcFault {
        public String id() {
            return "status-without-room";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                }

                @Override
                boolean watchesAvailable() {
                    return true;
                }

                @Override
                void onAvailable(List<long[]> readable, List<long[]> writable) {
                    if (!writable.isEmpty() && writable.stream().allMatch(w -> w[1] == 0)) {
                        device.writeb(writable.get(0)[0], Status.OK.code());
                    }
                }
            };
        }
    }

    /** A device that expects the request header in one descriptor: a request whose first buffer is shorter is EINVAL. */
    public static final class HeaderInOneDescriptor implements VirtioRtcFault {
        public String id() {
            return "header-in-one-descriptor";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    if (!r.readable.isEmpty() && r.readable.get(0)[1] < 8 && r.request.length >= 8) {
                        r.answer(Status.EINVAL.code(), 8);
                    }
                }
            };
        }
    }

    /** READs made available together are used in pairs swapped: the second before the first. */
    public static final class ReadsUsedOutOfOrder implements VirtioRtcFault {
        public String id() {
            return "reads-used-out-of-order";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                }

                @Override
                void afterBatch(int from, int to) {
                    for (int p = from; ((to - p) & 0xffff) >= 2; p = (p + 2) & 0xffff) {
                        if (msgTypeOf(usedHead(p)) == MsgType.REQ_READ.code()
                                && msgTypeOf(usedHead(p + 1)) == MsgType.REQ_READ.code()) {
                            swapUsed(p, p + 1);
                        }
                    }
                }
            };
        }
    }
}
