package dev.vmclock.conformance.run;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.spec.ClauseEntry;
import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.conformance.spec.Strength;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The verdicts of one run, clause by clause, in spec-map order. */
public record SuiteRun(Map<String, String> configuration, List<ClauseResult> clauses, List<TestOutcome> tests,
                       Duration elapsed, Optional<Throwable> containerFailure) {

    /** Which failures fail the run: MUST-level only (the default), or SHOULD-level too. */
    public enum Gate {
        MUST, SHOULD;

        /** True when a FAIL of a clause of this strength breaks this gate. */
        public boolean counts(Strength s) {
            return s.isMandatory() || (this == SHOULD && s.isRecommendation());
        }
    }

    static SuiteRun of(SpecMap map, Map<String, String> config, List<TestOutcome> tests, Duration elapsed,
                       Optional<Throwable> containerFailure) {
        Map<String, List<TestOutcome>> byClause = new LinkedHashMap<>();
        for (TestOutcome t : tests) {
            for (String c : t.clauses()) {
                byClause.computeIfAbsent(c, k -> new ArrayList<>()).add(t);
            }
        }
        List<ClauseResult> results = new ArrayList<>();
        for (ClauseEntry e : map.clauses()) {
            List<TestOutcome> ts = byClause.getOrDefault(e.id(), List.of());
            if (ts.isEmpty()) {
                continue;
            }
            Verdict v = ts.stream().map(TestOutcome::verdict).reduce(Verdict::combine).orElseThrow();
            results.add(new ClauseResult(e, v, List.copyOf(ts)));
        }
        return new SuiteRun(Map.copyOf(config), List.copyOf(results), List.copyOf(tests), elapsed, containerFailure);
    }

    public Optional<ClauseResult> clause(String id) {
        return clauses.stream().filter(c -> c.clause().id().equals(id)).findFirst();
    }

    /** Ids of the clauses with the given verdict. */
    public List<String> ids(Verdict verdict) {
        return clauses.stream().filter(c -> c.verdict() == verdict).map(c -> c.clause().id()).toList();
    }

    /** True when no clause FAILs at or above the gate's strength and nothing ERRORed. */
    public boolean gateHolds(Gate gate) {
        return containerFailure.isEmpty() && breakingGate(gate).isEmpty();
    }

    /** Ids of the clauses that break the gate, in spec-map order: the ERRORs and the FAILs it counts. */
    public List<String> breakingGate(Gate gate) {
        return clauses.stream().filter(c -> c.verdict() == Verdict.ERROR
                        || (c.verdict() == Verdict.FAIL && gate.counts(c.clause().strength())))
                .map(c -> c.clause().id()).toList();
    }
}
