package dev.vmclock.harness.virtio.rtc;

import dev.vmclock.harness.virtio.Le;

/**
 * The requests of virtio-rtc, encoded exactly as the spec's structures: {@code struct virtio_rtc_req_head}
 * (le16 msg_type, 6 reserved bytes) followed by the parameters; every reserved byte zero.
 */
public sealed interface RtcRequest {

    MsgType type();

    /** The request structure's bytes. */
    byte[] encode();

    /** {@code VIRTIO_RTC_FLAG_ALARM_ENABLED} in the alarm requests' and responses' flags. */
    int FLAG_ALARM_ENABLED = 1;

    private static byte[] head(MsgType t) {
        byte[] b = new byte[t.requestSize()];
        Le.putShort(b, 0, t.code());
        return b;
    }

    /** {@code struct virtio_rtc_req_cfg}: the number of clocks. */
    record Cfg() implements RtcRequest {
        public MsgType type() {
            return MsgType.REQ_CFG;
        }

        public byte[] encode() {
            return head(type());
        }
    }

    /** {@code struct virtio_rtc_req_clock_cap}. */
    record ClockCap(int clockId) implements RtcRequest {
        public MsgType type() {
            return MsgType.REQ_CLOCK_CAP;
        }

        public byte[] encode() {
            byte[] b = head(type());
            Le.putShort(b, 8, clockId);
            return b;
        }
    }

    /** {@code struct virtio_rtc_req_cross_cap}. */
    record CrossCap(int clockId, int hwCounter) implements RtcRequest {
        public MsgType type() {
            return MsgType.REQ_CROSS_CAP;
        }

        public byte[] encode() {
            byte[] b = head(type());
            Le.putShort(b, 8, clockId);
            b[10] = (byte) hwCounter;
            return b;
        }
    }

    /** {@code struct virtio_rtc_req_read}. */
    record Read(int clockId) implements RtcRequest {
        public MsgType type() {
            return MsgType.REQ_READ;
        }

        public byte[] encode() {
            byte[] b = head(type());
            Le.putShort(b, 8, clockId);
            return b;
        }
    }

    /** {@code struct virtio_rtc_req_read_cross}. */
    record ReadCross(int clockId, int hwCounter) implements RtcRequest {
        public MsgType type() {
            return MsgType.REQ_READ_CROSS;
        }

        public byte[] encode() {
            byte[] b = head(type());
            Le.putShort(b, 8, clockId);
            b[10] = (byte) hwCounter;
            return b;
        }
    }

    /** {@code struct virtio_rtc_req_read_alarm}. */
    record ReadAlarm(int clockId) implements RtcRequest {
        public MsgType type() {
            return MsgType.REQ_READ_ALARM;
        }

        public byte[] encode() {
            byte[] b = head(type());
            Le.putShort(b, 8, clockId);
            return b;
        }
    }

    /** {@code struct virtio_rtc_req_set_alarm}: le64 alarm_time, le16 clock_id, u8 flags, 5 reserved. */
    record SetAlarm(long alarmTime, int clockId, int flags) implements RtcRequest {
        public MsgType type() {
            return MsgType.REQ_SET_ALARM;
        }

        public byte[] encode() {
            byte[] b = head(type());
            Le.putLong(b, 8, alarmTime);
            Le.putShort(b, 16, clockId);
            b[18] = (byte) flags;
            return b;
        }
    }

    /** {@code struct virtio_rtc_req_set_alarm_enabled}: le16 clock_id, u8 flags, 5 reserved. */
    record SetAlarmEnabled(int clockId, int flags) implements RtcRequest {
        public MsgType type() {
            return MsgType.REQ_SET_ALARM_ENABLED;
        }

        public byte[] encode() {
            byte[] b = head(type());
            Le.putShort(b, 8, clockId);
            b[10] = (byte) flags;
            return b;
        }
    }
}
