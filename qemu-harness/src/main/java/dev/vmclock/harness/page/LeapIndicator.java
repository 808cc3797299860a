package dev.vmclock.harness.page;

import java.util.Map;

/** {@code leap_indicator} (offset 0x26), valid for the reference time {@code time_sec}. */
public record LeapIndicator(int value) implements Coded {
    public static final LeapIndicator NONE = new LeapIndicator(0);
    public static final LeapIndicator PRE_POS = new LeapIndicator(1);
    public static final LeapIndicator PRE_NEG = new LeapIndicator(2);
    public static final LeapIndicator POS = new LeapIndicator(3);
    public static final LeapIndicator POST_POS = new LeapIndicator(4);
    public static final LeapIndicator POST_NEG = new LeapIndicator(5);

    private static final Map<Integer, String> NAMES =
            Map.of(0, "NONE", 1, "PRE_POS", 2, "PRE_NEG", 3, "POS", 4, "POST_POS", 5, "POST_NEG");

    @Override
    public String label() {
        return Coded.label(value, NAMES);
    }

    @Override
    public String toString() {
        return label();
    }
}
