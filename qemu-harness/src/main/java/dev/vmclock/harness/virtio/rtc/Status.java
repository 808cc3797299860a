package dev.vmclock.harness.virtio.rtc;

import java.util.Arrays;
import java.util.Optional;

/** {@code virtio_rtc_resp_head.status} values (virtio-rtc §Device Operation). Value 1 is not defined. */
public enum Status {
    OK(0),
    EOPNOTSUPP(2),
    ENODEV(3),
    EINVAL(4),
    EIO(5);

    private final int code;

    Status(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<Status> of(int code) {
        return Arrays.stream(values()).filter(s -> s.code == code).findFirst();
    }

    public static String describe(int code) {
        return of(code).map(s -> "VIRTIO_RTC_S_" + s.name()).orElse("undefined") + " (" + code + ")";
    }
}
