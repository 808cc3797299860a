package dev.vmclock.gate;

import dev.vmclock.conformance.Verdict;
import java.util.Optional;

/** A result held against what was expected of it. */
public enum Outcome {
    /** As expected: the expected verdict, or PASS / NOT_APPLICABLE where nothing else was expected. */
    EXPECTED,
    /** A FAIL or ERROR that nothing expected, or a different one than expected. */
    UNEXPECTED,
    /** Better than expected: an expected FAIL or ERROR (or NOT_APPLICABLE) that now PASSes: a stale expectation. */
    UNEXPECTED_PASS;

    static Outcome of(Verdict got, Optional<Verdict> expected) {
        if (expected.isEmpty()) {
            return isProblem(got) ? UNEXPECTED : EXPECTED;
        }
        if (got == expected.get()) {
            return EXPECTED;
        }
        return isProblem(got) ? UNEXPECTED : UNEXPECTED_PASS;
    }

    static boolean isProblem(Verdict v) {
        return v == Verdict.FAIL || v == Verdict.ERROR;
    }

    /** The worse of two: UNEXPECTED over UNEXPECTED_PASS over EXPECTED. */
    public Outcome worst(Outcome o) {
        return o == UNEXPECTED || this == UNEXPECTED ? UNEXPECTED : o == UNEXPECTED_PASS ? o : this;
    }

    /** As report.json writes it: {@code expected}, {@code unexpected}, {@code unexpected-pass}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
