package dev.vmclock.harness.page;

import java.util.Map;

/** {@code leap_second_smearing_hint} (offset 0x23): how a guest may smear, should it want to. */
public record SmearingHint(int value) implements Coded {
    public static final SmearingHint STRICT = new SmearingHint(0);
    public static final SmearingHint NOON_LINEAR = new SmearingHint(1);
    public static final SmearingHint UTC_SLS = new SmearingHint(2);

    private static final Map<Integer, String> NAMES = Map.of(0, "STRICT", 1, "NOON_LINEAR", 2, "UTC_SLS");

    @Override
    public String label() {
        return Coded.label(value, NAMES);
    }

    @Override
    public String toString() {
        return label();
    }
}
