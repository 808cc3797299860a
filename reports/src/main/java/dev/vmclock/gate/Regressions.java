package dev.vmclock.gate;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.spec.Strength;
import dev.vmclock.report.Report;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A run held against a baseline run (the patch gate: master's run is the baseline, the patched build's run is
 * judged against it), check by check. Worse: a check that FAILs or ERRORs now and did not before (it PASSed,
 * was NOT_APPLICABLE, had the other problem verdict, or did not exist: a new check or a new clause). Better:
 * a check that FAILed or ERRORed and now PASSes or is NOT_APPLICABLE.
 *
 * @param baseline   where the baseline came from, for messages
 * @param notJudged  clauses the baseline judged and this run did not (another selection or suite version)
 */
public record Regressions(String baseline, String baselineImplementation, List<Change> worse, List<Change> better,
                          List<String> notJudged) {

    /** One check whose verdict changed; {@code before} is empty when the baseline did not have the check. */
    public record Change(String clause, Strength strength, String check, Optional<Verdict> before, Verdict after) {

        public boolean breaks(FailOn failOn) {
            return after == Verdict.ERROR || failOn.counts(strength);
        }

        public String describe() {
            return clause + " " + check + ": " + before.map(Verdict::name).orElse("absent") + " -> " + after;
        }
    }

    public static Regressions between(Report baseline, String baselineName, Report now) {
        Map<String, Map<String, Verdict>> before = new HashMap<>();
        for (Report.ClauseReport c : baseline.clauses()) {
            Map<String, Verdict> checks = before.computeIfAbsent(c.id(), k -> new HashMap<>());
            c.tests().forEach(t -> checks.put(t.test(), Verdict.valueOf(t.verdict())));
        }
        List<Change> worse = new ArrayList<>();
        List<Change> better = new ArrayList<>();
        Set<String> judged = new LinkedHashSet<>();
        for (Report.ClauseReport c : now.clauses()) {
            judged.add(c.id());
            Strength strength = Strength.parse(c.strength());
            for (Report.TestReport t : c.tests()) {
                Verdict after = Verdict.valueOf(t.verdict());
                Optional<Verdict> was = Optional.ofNullable(before.getOrDefault(c.id(), Map.of()).get(t.test()));
                Change change = new Change(c.id(), strength, t.test(), was, after);
                if (Outcome.isProblem(after) && was.map(b -> b != after).orElse(true)) {
                    worse.add(change);
                } else if (!Outcome.isProblem(after) && was.filter(Outcome::isProblem).isPresent()) {
                    better.add(change);
                }
            }
        }
        List<String> notJudged = baseline.clauses().stream().map(Report.ClauseReport::id)
                .filter(id -> !judged.contains(id)).toList();
        return new Regressions(baselineName, Subject.of(baseline.implementation()).describe(), List.copyOf(worse),
                List.copyOf(better), notJudged);
    }

    /** The changes that break the gate under {@code failOn}. */
    public List<Change> breaking(FailOn failOn) {
        return worse.stream().filter(c -> c.breaks(failOn)).toList();
    }
}
