package dev.vmclock.harness.virtio.rtc;

import java.util.Arrays;
import java.util.Optional;

/** Leap second smearing variants (virtio-rtc §Smearing Variants); values >= 0xF0 are implementation-specific. */
public enum SmearingVariant {
    UNSPECIFIED(0),
    NOON_LINEAR(1),
    UTC_SLS(2);

    public static final int FIRST_EXPERIMENTAL = 0xf0;

    private final int code;

    SmearingVariant(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<SmearingVariant> of(int code) {
        return Arrays.stream(values()).filter(v -> v.code == code).findFirst();
    }
}
