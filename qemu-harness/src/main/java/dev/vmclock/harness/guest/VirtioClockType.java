package dev.vmclock.harness.guest;

import java.util.Arrays;
import java.util.Optional;

/**
 * virtio-rtc clock types (virtio spec, RTC Device, Common Definitions, Clock Types). The Linux driver names
 * each clock it registers with PTP "Virtio PTP type T/variant V" after these values.
 */
public enum VirtioClockType {
    UTC(0),
    TAI(1),
    MONOTONIC(2),
    UTC_SMEARED(3),
    UTC_MAYBE_SMEARED(4);

    private final int value;

    VirtioClockType(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** The type with this value; empty for values the spec does not define (device-specific types). */
    public static Optional<VirtioClockType> of(int value) {
        return Arrays.stream(values()).filter(t -> t.value == value).findFirst();
    }

    /** UTC, UTC_SMEARED or UTC_MAYBE_SMEARED: what the spec calls a "UTC-like clock". */
    public boolean utcLike() {
        return this == UTC || this == UTC_SMEARED || this == UTC_MAYBE_SMEARED;
    }
}
