package dev.vmclock.harness.page;

import java.util.Map;

/** {@code clock_status} (offset 0x22): whether the clock parameters may be relied upon. */
public record ClockStatus(int value) implements Coded {
    public static final ClockStatus UNKNOWN = new ClockStatus(0);
    public static final ClockStatus INITIALIZING = new ClockStatus(1);
    public static final ClockStatus SYNCHRONIZED = new ClockStatus(2);
    public static final ClockStatus FREERUNNING = new ClockStatus(3);
    public static final ClockStatus UNRELIABLE = new ClockStatus(4);

    private static final Map<Integer, String> NAMES =
            Map.of(0, "UNKNOWN", 1, "INITIALIZING", 2, "SYNCHRONIZED", 3, "FREERUNNING", 4, "UNRELIABLE");

    /** UAPI.13: parameters "may be relied upon" only when synchronized or free-running. */
    public boolean parametersReliable() {
        return value == 2 || value == 3;
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
