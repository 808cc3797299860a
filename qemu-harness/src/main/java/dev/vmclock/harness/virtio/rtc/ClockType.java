package dev.vmclock.harness.virtio.rtc;

import java.util.Arrays;
import java.util.Optional;

/** Clock types (virtio-rtc §Common Definitions / Clock Types); 0xF0..0xFF are implementation-specific. */
public enum ClockType {
    UTC(0),
    TAI(1),
    MONOTONIC(2),
    UTC_SMEARED(3),
    UTC_MAYBE_SMEARED(4);

    public static final int FIRST_EXPERIMENTAL = 0xf0;

    private final int code;

    ClockType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public boolean isUtcLike() {
        return this == UTC || this == UTC_SMEARED || this == UTC_MAYBE_SMEARED;
    }

    public static Optional<ClockType> of(int code) {
        return Arrays.stream(values()).filter(t -> t.code == code).findFirst();
    }

    public static boolean isExperimental(int code) {
        return code >= FIRST_EXPERIMENTAL && code <= 0xff;
    }

    public static String describe(int code) {
        return of(code).map(t -> "VIRTIO_RTC_CLOCK_" + t.name())
                .orElse(isExperimental(code) ? "implementation-specific" : "undefined") + " (" + code + ")";
    }
}
