package dev.vmclock.conformance.virtiortc.faults;

import dev.vmclock.harness.memory.IoBus;
import dev.vmclock.harness.virtio.Le;
import dev.vmclock.harness.virtio.rtc.HwCounter;
import dev.vmclock.harness.virtio.rtc.MsgType;
import dev.vmclock.harness.virtio.rtc.Status;
import java.time.Instant;
import java.util.Optional;

/** Broken devices whose fault is in how they answer requests: statuses, buffer sizes, control answers. */
public final class RequestFaults {

    private RequestFaults() {
    }

    static boolean is(ResponseRewriter.Response r, MsgType t) {
        return r.msgType == t.code() && r.bytes.length > 0;
    }

    /** VIRTIO_RTC_REQ_CFG on the requestq is not executed: VIRTIO_RTC_S_EIO. */
    public static final class CfgNotAnswered implements VirtioRtcFault {
        public String id() {
            return "cfg-not-answered";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    if (is(r, MsgType.REQ_CFG) && r.status() == Status.OK.code()) {
                        r.answer(Status.EIO.code(), 8);
                    }
                }
            };
        }
    }

    /** VIRTIO_RTC_REQ_READ is not supported: VIRTIO_RTC_S_EOPNOTSUPP. */
    public static final class ReadNotSupported implements VirtioRtcFault {
        public String id() {
            return "read-not-supported";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    if (is(r, MsgType.REQ_READ) && r.status() == Status.OK.code()) {
                        r.answer(Status.EOPNOTSUPP.code(), 8);
                    }
                }
            };
        }
    }

    /** A request followed by more device-readable bytes than its structure is refused: VIRTIO_RTC_S_EINVAL. */
    public static final class ExtraRequestSpaceRefused implements VirtioRtcFault {
        public String id() {
            return "extra-request-space-refused";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    Optional<MsgType> t = MsgType.of(r.msgType);
                    if (t.isPresent() && r.request.length > t.get().requestSize() && r.status() == Status.OK.code()) {
                        r.answer(Status.EINVAL.code(), 8);
                    }
                }
            };
        }
    }

    /** The device-writable space after the response is cleared to zero. */
    public static final class ExtraResponseSpaceZeroed implements VirtioRtcFault {
        public String id() {
            return "extra-response-space-zeroed";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    for (int i = (int) Math.min(r.usedLength, r.bytes.length); i < r.bytes.length; i++) {
                        r.bytes[i] = 0;
                    }
                }
            };
        }
    }

    /** CROSS_CAP's VIRTIO_RTC_FLAG_CROSS_CAP flips on every third answer since the device was reset. */
    public static final class CrossCapFlickers implements VirtioRtcFault {
        public String id() {
            return "cross-cap-flickers";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                int answers;

                @Override
                void onReset() {
                    answers = 0;
                }

                void rewrite(Response r) {
                    if (is(r, MsgType.REQ_CROSS_CAP) && r.status() == Status.OK.code() && r.bytes.length > 8
                            && answers++ % 3 == 2) {
                        r.bytes[8] ^= 1;
                    }
                }
            };
        }
    }

    /** CFG counts one clock more than the device has: the last id below num_clocks is ENODEV. */
    public static final class PhantomClock implements VirtioRtcFault {
        public String id() {
            return "phantom-clock";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    if (is(r, MsgType.REQ_CFG) && r.status() == Status.OK.code() && r.bytes.length >= 10) {
                        Le.putShort(r.bytes, 8, Le.u16(r.bytes, 8) + 1);
                    }
                }
            };
        }
    }

    /** Alarm requests the device refuses get status 1, which the specification does not define. */
    public static final class UndefinedStatus implements VirtioRtcFault {
        public String id() {
            return "undefined-status";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    boolean alarm = MsgType.of(r.msgType).map(MsgType::isAlarmRequest).orElse(false);
                    if (alarm && r.status() > 0 && r.usedLength > 0) {
                        r.bytes[0] = 1;
                    }
                }
            };
        }
    }

    /**
     * Cross-timestamping with the x86 TSC for clock 0: CROSS_CAP sets VIRTIO_RTC_FLAG_CROSS_CAP and READ_CROSS
     * answers the host's UTC now with a counter_cycles that counts down.
     */
    public static final class CrossCounterGoesBack implements VirtioRtcFault {
        public String id() {
            return "cross-counter-goes-back";
        }

        public IoBus wrap(IoBus d) {
            return new ResponseRewriter(d) {
                void rewrite(Response r) {
                    if (r.clockId() != 0 || r.request.length < 11 || (r.request[10] & 0xff) != HwCounter.X86_TSC.code()) {
                        return;
                    }
                    if (is(r, MsgType.REQ_CROSS_CAP) && r.bytes.length >= 16) {
                        r.answer(Status.OK.code(), 16);
                        r.bytes[8] = 1;
                    } else if (is(r, MsgType.REQ_READ_CROSS) && r.bytes.length >= 24) {
                        r.answer(Status.OK.code(), 24);
                        Instant now = Instant.now();
                        Le.putLong(r.bytes, 8, now.getEpochSecond() * 1_000_000_000L + now.getNano());
                        Le.putLong(r.bytes, 16, Long.MAX_VALUE - System.nanoTime());
                    }
                }
            };
        }
    }
}
