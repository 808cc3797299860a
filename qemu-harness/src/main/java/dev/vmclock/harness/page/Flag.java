package dev.vmclock.harness.page;

/**
 * Bits of {@code flags} (offset 0x18), numbered as in Linux {@code vmclock-abi.h} and every
 * implementation. UAPI.13's table omits TIME_MONOTONIC and so lists the last two one bit too low:
 * see the errata in spec-map.md.
 */
public enum Flag {
    TAI_OFFSET_VALID(0),
    DISRUPTION_SOON(1),
    DISRUPTION_IMMINENT(2),
    PERIOD_ESTERROR_VALID(3),
    PERIOD_MAXERROR_VALID(4),
    TIME_ESTERROR_VALID(5),
    TIME_MAXERROR_VALID(6),
    TIME_MONOTONIC(7),
    VM_GEN_COUNTER_PRESENT(8),
    NOTIFICATION_PRESENT(9);

    private final int bit;

    Flag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    public long mask() {
        return 1L << bit;
    }
}
