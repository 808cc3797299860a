package dev.vmclock.harness.virtio.rtc;

import java.util.Arrays;
import java.util.Optional;

/**
 * The virtio-rtc message types (virtio-rtc §Device Operation), with the sizes of their request and response
 * structures: what a device must read and what it must be able to write.
 */
public enum MsgType {
    REQ_READ(0x0001, 16, 16),
    REQ_READ_CROSS(0x0002, 16, 24),
    REQ_CFG(0x1000, 8, 16),
    REQ_CLOCK_CAP(0x1001, 16, 16),
    REQ_CROSS_CAP(0x1002, 16, 16),
    REQ_READ_ALARM(0x1003, 16, 24),
    REQ_SET_ALARM(0x1004, 24, 8),
    REQ_SET_ALARM_ENABLED(0x1005, 16, 8),
    /** On the alarmq only, from the device: {@code struct virtio_rtc_notif_alarm}. */
    NOTIF_ALARM(0x2000, 0, 16);

    private final int code;
    private final int requestSize;
    private final int responseSize;

    MsgType(int code, int requestSize, int responseSize) {
        this.code = code;
        this.requestSize = requestSize;
        this.responseSize = responseSize;
    }

    public int code() {
        return code;
    }

    /** Size of the request structure, header included. */
    public int requestSize() {
        return requestSize;
    }

    /** Size of the response (or notification) structure, header included. */
    public int responseSize() {
        return responseSize;
    }

    public boolean isAlarmRequest() {
        return this == REQ_READ_ALARM || this == REQ_SET_ALARM || this == REQ_SET_ALARM_ENABLED;
    }

    public static Optional<MsgType> of(int code) {
        return Arrays.stream(values()).filter(t -> t.code == code).findFirst();
    }

    /** {@code VIRTIO_RTC_REQ_READ (0x0001)} or {@code unknown (0x4242)}. */
    public static String describe(int code) {
        return of(code).map(t -> "VIRTIO_RTC_" + t.name()).orElse("unknown") + String.format(" (0x%04x)", code);
    }
}
