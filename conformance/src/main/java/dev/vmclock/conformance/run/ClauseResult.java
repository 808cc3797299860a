package dev.vmclock.conformance.run;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.spec.ClauseEntry;
import java.util.List;

/** The verdict on one clause: the combination of its tests' verdicts ({@link Verdict#combine}). */
public record ClauseResult(ClauseEntry clause, Verdict verdict, List<TestOutcome> tests) {

    /** The first message that explains the verdict (a failure, an error, or why not applicable). */
    public String reason() {
        return tests.stream().filter(t -> t.verdict() == verdict).map(TestOutcome::message)
                .filter(m -> m != null && !m.isBlank()).findFirst().orElse("");
    }
}
