package dev.vmclock.harness.page;

import java.util.Map;

/** {@code counter_id} (offset 0x0a): which hardware counter the clock data refers to. */
public record CounterId(int value) implements Coded {
    public static final CounterId ARM_VCNT = new CounterId(0x00);
    public static final CounterId X86_TSC = new CounterId(0x01);
    public static final CounterId INVALID = new CounterId(0xff);

    private static final Map<Integer, String> NAMES = Map.of(0x00, "ARM_VCNT", 0x01, "X86_TSC", 0xff, "INVALID");

    @Override
    public String label() {
        return Coded.label(value, NAMES);
    }

    @Override
    public String toString() {
        return label();
    }
}
