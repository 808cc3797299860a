package dev.vmclock.conformance.spec;

import java.util.List;
import java.util.Optional;

/**
 * One row of spec-map.md.
 *
 * @param tests            the tests that check it ({@code Class#method}), empty when it cannot be observed
 * @param notObservable    why no test can observe it, if that is the case
 * @param notYetAutomated  what the suite lacks to check it, for an observable clause without a test (a known gap)
 */
public record ClauseEntry(String id, String section, String rule, Strength strength, String source, String observedBy,
                          List<String> tests, Optional<String> notObservable, Optional<String> notYetAutomated) {

    /** The spec part of the id: {@code VMC-SEQ-03} → {@code VMC}, {@code VRTC-READ-02} → {@code VRTC}. */
    public String prefix() {
        return id.split("-")[0];
    }

    /** The area part of the id: {@code VMC-SEQ-03} → {@code SEQ}. */
    public String area() {
        return id.split("-")[1];
    }
}
