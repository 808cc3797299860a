package dev.vmclock.harness.virtio.rtc;

import dev.vmclock.harness.virtio.Le;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A response as the device wrote it into the device-writable buffers (concatenated), decoded per the
 * spec's {@code struct virtio_rtc_resp_*}. Fields past what was written read as absent (-1), so a short
 * response never passes for a complete one. Only {@link #status()} is meaningful unless it is OK.
 */
public record RtcResponse(MsgType type, byte[] bytes) {

    public RtcResponse {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public boolean has(int offset, int length) {
        return bytes.length >= offset + length;
    }

    /** {@code resp_head.status}, -1 when not even one byte came back. */
    public int status() {
        return has(0, 1) ? Le.u8(bytes, 0) : -1;
    }

    public boolean ok() {
        return status() == Status.OK.code();
    }

    /** The reserved bytes this response structure defines (head and body), with their offsets. */
    public int[] reservedOffsets() {
        int[] head = {1, 2, 3, 4, 5, 6, 7};
        int[] body = switch (type) {
            case REQ_CFG -> new int[] {10, 11, 12, 13, 14, 15};
            case REQ_CLOCK_CAP -> new int[] {11, 12, 13, 14, 15};
            case REQ_CROSS_CAP -> new int[] {9, 10, 11, 12, 13, 14, 15};
            case REQ_READ_ALARM -> new int[] {17, 18, 19, 20, 21, 22, 23};
            case NOTIF_ALARM -> new int[] {10, 11, 12, 13, 14, 15};
            default -> new int[0];
        };
        if (type == MsgType.NOTIF_ALARM) {
            head = new int[] {2, 3, 4, 5, 6, 7};
        }
        int[] all = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private int u8(int off) {
        return has(off, 1) ? Le.u8(bytes, off) : -1;
    }

    private int u16(int off) {
        return has(off, 2) ? Le.u16(bytes, off) : -1;
    }

    private long u64(int off) {
        if (!has(off, 8)) {
            throw new IllegalStateException(type + " response has " + bytes.length + " bytes, no le64 at " + off);
        }
        return Le.u64(bytes, off);
    }

    /** CFG: num_clocks. */
    public int numClocks() {
        return u16(8);
    }

    /** CLOCK_CAP: type. */
    public int clockType() {
        return u8(8);
    }

    /** CLOCK_CAP: leap_second_smearing. */
    public int leapSecondSmearing() {
        return u8(9);
    }

    /** CLOCK_CAP flags (byte 10), CROSS_CAP flags (byte 8), READ_ALARM flags (byte 16). */
    public int flags() {
        return switch (type) {
            case REQ_CLOCK_CAP -> u8(10);
            case REQ_CROSS_CAP -> u8(8);
            case REQ_READ_ALARM -> u8(16);
            default -> throw new IllegalStateException(type + " has no flags");
        };
    }

    /** READ, READ_CROSS: clock_reading (ns). */
    public long clockReading() {
        return u64(8);
    }

    /** READ_CROSS: counter_cycles. */
    public long counterCycles() {
        return u64(16);
    }

    /** READ_ALARM: alarm_time (ns). */
    public long alarmTime() {
        return u64(8);
    }

    /** NOTIF_ALARM: msg_type of the notification header. */
    public int notificationMsgType() {
        return u16(0);
    }

    /** NOTIF_ALARM: clock_id. */
    public int notificationClockId() {
        return u16(8);
    }

    @Override
    public String toString() {
        return type + " response [" + HexFormat.ofDelimiter(" ").formatHex(bytes) + "] status "
                + (type == MsgType.NOTIF_ALARM ? "-" : Status.describe(status()));
    }
}
