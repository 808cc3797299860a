package dev.vmclock.conformance.virtiortc.faults;

import dev.vmclock.harness.memory.IoBus;
import dev.vmclock.harness.virtio.Le;
import dev.vmclock.harness.virtio.rtc.MsgType;
import java.util.List;

/** The broken virtio-rtc devices the project's own tests run the VRTC area against. */
public final class VrtcFaults {

    private VrtcFaults() {
    }

    private static boolean answers(ResponseRewriter.Response r, MsgType t) {
        return r.msgType == t.code() && r.bytes.length > 0;
    }

    /** Every error status is turned into OK: the device claims to execute what it cannot. */
    public static final class ErrorsReportedOk implements VirtioRtcFault {
        public String id() {
            return "errors-reported-ok";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    if (r.bytes.length > 0 && r.usedLength > 0) {
                        r.bytes[0] = 0;
                    }
                }
            };
        }
    }

    /** The used length is one byte short of what was written. */
    public static final class UsedLengthShort implements VirtioRtcFault {
        public String id() {
            return "used-length-short";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    if (r.usedLength > 0) {
                        r.usedLength--;
                    }
                }
            };
        }
    }

    /**
     * Every second READ returns a reading 500 ms before the real one: the clock steps backwards and forwards. Half a
     * second, not less: READ-06 brackets its two readings with round trips that reach tens of milliseconds under load
     * (50 ms once hid in that bracket), and the step must stand out of it; it stays within 1 s of the host's UTC.
     */
    public static final class ReadingStepsBack implements VirtioRtcFault {
        public String id() {
            return "reading-steps-back";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                int reads;

                void rewrite(Response r) {
                    if (answers(r, MsgType.REQ_READ) && r.bytes[0] == 0 && r.bytes.length >= 16 && reads++ % 2 == 1) {
                        Le.putLong(r.bytes, 8, Le.u64(r.bytes, 8) - 500_000_000L);
                    }
                }
            };
        }
    }

    /** CLOCK_CAP reports clock type 0x0b, which the specification does not define. */
    public static final class UndefinedClockType implements VirtioRtcFault {
        public String id() {
            return "undefined-clock-type";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    if (answers(r, MsgType.REQ_CLOCK_CAP) && r.bytes.length > 8 && r.bytes[0] == 0) {
                        r.bytes[8] = 0x0b;
                    }
                }
            };
        }
    }

    /** CFG says num_clocks 0 while clock 0 keeps answering. */
    public static final class NumClocksZero implements VirtioRtcFault {
        public String id() {
            return "num-clocks-zero";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    if (answers(r, MsgType.REQ_CFG) && r.bytes.length >= 10) {
                        Le.putShort(r.bytes, 8, 0);
                    }
                }
            };
        }
    }

    /** The response header's last reserved byte is 1. */
    public static final class ReservedByteSet implements VirtioRtcFault {
        public String id() {
            return "reserved-byte-set";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    if (r.bytes.length >= 8 && r.usedLength >= 8) {
                        r.bytes[7] = 1;
                    }
                }
            };
        }
    }

    /** CLOCK_CAP sets flag bit 7, which no feature allows. */
    public static final class FlagBeyondFeatures implements VirtioRtcFault {
        public String id() {
            return "flag-beyond-features";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    if (answers(r, MsgType.REQ_CLOCK_CAP) && r.bytes.length > 10 && r.bytes[0] == 0) {
                        r.bytes[10] |= (byte) 0x80;
                    }
                }
            };
        }
    }

    /** After answering, the device writes into the request's (device-readable) buffer. */
    public static final class WritesReadableBuffer implements VirtioRtcFault {
        public String id() {
            return "writes-readable-buffer";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                }

                @Override
                void afterUse(List<long[]> readable) {
                    if (!readable.isEmpty() && readable.get(0)[1] > 2) {
                        device.writeb(readable.get(0)[0] + 2, 0x5a);
                    }
                }
            };
        }
    }

    /**
     * VIRTIO_RTC_F_ALARM offered (bit 0 of device_feature) by a device that has neither the alarmq nor the
     * alarm requests. device_feature is the readl right after a writel of 0 to the select register 4 bytes below.
     */
    public static final class AlarmOfferedNotHonoured implements VirtioRtcFault {
        public String id() {
            return "alarm-offered-not-honoured";
        }

        public IoBus wrap(IoBus d) {
            return new ForwardingBus(d) {
                long lastWrite = -1;
                long lastValue = -1;

                @Override
                public void writel(long address, long value) {
                    super.writel(address, value);
                    lastWrite = address;
                    lastValue = value;
                }

                @Override
                public long readl(long address) {
                    long v = super.readl(address);
                    if (address == lastWrite + 4 && lastValue == 0) {
                        v |= 1;
                    }
                    lastWrite = -1;
                    return v;
                }
            };
        }
    }
}
