package dev.vmclock.gate;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.spec.Strength;
import dev.vmclock.report.Report;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A run's results held against its expectations, clause by clause and check by check. A clause with a
 * whole-clause entry is expected to have that verdict, and each of its checks that one or PASS or
 * NOT_APPLICABLE; a clause with check entries expects each listed check to have its verdict and every other
 * check to PASS or be NOT_APPLICABLE; so a second check that starts to FAIL in a clause that already FAILs
 * is unexpected.
 */
public record Triage(Expected expected, List<ClauseTriage> clauses) {

    /** One check (a test) of a clause. */
    public record CheckTriage(String check, Verdict verdict, Optional<Expectation> entry, Outcome outcome) {
        public Optional<Verdict> expectedVerdict() {
            return entry.map(Expectation::expected);
        }
    }

    /**
     * One clause.
     *
     * @param entries the entries that apply to it (one whole-clause entry, or the check entries), in file order
     */
    public record ClauseTriage(String clause, Strength strength, Verdict verdict, List<Expectation> entries,
                               Outcome outcome, List<CheckTriage> checks) {

        /** The verdict expected of the clause as a whole; empty: PASS or NOT_APPLICABLE. */
        public Optional<Verdict> expectedVerdict() {
            return entries.stream().map(Expectation::expected).reduce(Verdict::combine);
        }

        /** True when this clause breaks the gate under {@code failOn}. */
        public boolean breaks(FailOn failOn) {
            return switch (outcome) {
                case EXPECTED -> false;
                case UNEXPECTED_PASS -> failOn.unexpectedPass();
                case UNEXPECTED -> checks.stream().filter(c -> c.outcome() == Outcome.UNEXPECTED)
                        .anyMatch(c -> c.verdict() == Verdict.ERROR || failOn.counts(strength));
            };
        }
    }

    public static Triage of(Report report, Expected expected) {
        List<ClauseTriage> clauses = new ArrayList<>();
        for (Report.ClauseReport c : report.clauses()) {
            Verdict verdict = Verdict.valueOf(c.verdict());
            Optional<Expectation> whole = expected.wholeClause(c.id());
            List<CheckTriage> checks = new ArrayList<>();
            List<Expectation> entries = new ArrayList<>();
            whole.ifPresent(entries::add);
            Outcome outcome = whole.map(w -> Outcome.of(verdict, Optional.of(w.expected()))).orElse(Outcome.EXPECTED);
            for (Report.TestReport t : c.tests()) {
                CheckTriage check = check(expected, c.id(), t.test(), Verdict.valueOf(t.verdict()));
                check.entry().filter(e -> !entries.contains(e)).ifPresent(entries::add);
                checks.add(check);
                outcome = outcome.worst(check.outcome());
            }
            clauses.add(new ClauseTriage(c.id(), Strength.parse(c.strength()), verdict, List.copyOf(entries), outcome,
                    List.copyOf(checks)));
        }
        return new Triage(expected, List.copyOf(clauses));
    }

    /**
     * One check on its own, as it finishes: a whole-clause entry covers each check that has its verdict (another
     * FAIL or ERROR is news); otherwise the check's own entry, or PASS / NOT_APPLICABLE, is expected.
     */
    public static CheckTriage check(Expected expected, String clause, String check, Verdict got) {
        Optional<Expectation> whole = expected.wholeClause(clause);
        if (whole.isPresent()) {
            boolean covered = got == whole.get().expected() || !Outcome.isProblem(got);
            return new CheckTriage(check, got, whole, covered ? Outcome.EXPECTED : Outcome.UNEXPECTED);
        }
        Optional<Expectation> entry = expected.check(clause, check);
        return new CheckTriage(check, got, entry, Outcome.of(got, entry.map(Expectation::expected)));
    }

    public List<ClauseTriage> with(Outcome o) {
        return clauses.stream().filter(c -> c.outcome() == o).toList();
    }
}
