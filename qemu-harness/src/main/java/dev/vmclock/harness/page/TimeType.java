package dev.vmclock.harness.page;

import java.util.Map;

/**
 * {@code time_type} (offset 0x0b). Values 3 and 4 are the header's "INVALID_SMEARED" and
 * "INVALID_MAYBE_SMEARED": defined so that a smeared clock can be recognised, never valid to advertise.
 */
public record TimeType(int value) implements Coded {
    public static final TimeType UTC = new TimeType(0);
    public static final TimeType TAI = new TimeType(1);
    public static final TimeType MONOTONIC = new TimeType(2);
    public static final TimeType INVALID_SMEARED = new TimeType(3);
    public static final TimeType INVALID_MAYBE_SMEARED = new TimeType(4);

    private static final Map<Integer, String> NAMES =
            Map.of(0, "UTC", 1, "TAI", 2, "MONOTONIC", 3, "INVALID_SMEARED", 4, "INVALID_MAYBE_SMEARED");

    public boolean isSmeared() {
        return value == 3 || value == 4;
    }

    @Override
    public String label() {
        return Coded.label(value, NAMES);
    }

    @Override
    public String toString() {
        return label();
    }
}
