package dev.vmclock.conformance;

/** The outcome of checking one clause against one implementation. */
public enum Verdict {
    /** The implementation does what the clause says. */
    PASS,
    /** It does not; the evidence shows how. */
    FAIL,
    /** The clause's feature is not advertised (the reason names the flag, device or capability). */
    NOT_APPLICABLE,
    /** QEMU or the harness broke: no verdict on the implementation, the evidence is kept. */
    ERROR;

    /** The verdict of a clause checked by several tests: any FAIL, else any ERROR, else any PASS. */
    public static Verdict combine(Verdict a, Verdict b) {
        return rank(a) <= rank(b) ? a : b;
    }

    private static int rank(Verdict v) {
        return switch (v) {
            case FAIL -> 0;
            case ERROR -> 1;
            case PASS -> 2;
            case NOT_APPLICABLE -> 3;
        };
    }
}
