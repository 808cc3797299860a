package dev.vmclock.gate;

import dev.vmclock.conformance.Verdict;
import java.util.List;
import java.util.Optional;

/**
 * One entry of an expectations file: the verdict a clause, or some of its checks, is expected to have on the
 * implementations its condition matches, and why.
 *
 * @param checks   the checks ({@code Class#method}) within the clause; empty: the clause as a whole
 * @param expected FAIL, ERROR or NOT_APPLICABLE (a PASS needs no entry)
 * @param line     where the entry starts in its file (1-based), for messages
 */
public record Expectation(String clause, List<String> checks, Verdict expected, String reason, Optional<String> link,
                          Condition when, int line) {

    public Expectation {
        checks = List.copyOf(checks);
    }

    public boolean wholeClause() {
        return checks.isEmpty();
    }

    /** The clause, and the checks when the entry names some: {@code VRTC-OP-08 BufferSizeTest#headerCutShortIsEinval}. */
    public String describe() {
        return clause + (checks.isEmpty() ? "" : " " + String.join(",", checks));
    }
}
