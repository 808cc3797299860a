package dev.vmclock.gate;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.spec.Strength;
import dev.vmclock.report.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The gate: what decides a run's exit code. Without expectations or a baseline it judges against the spec
 * (every ERROR, every FAIL {@link FailOn} counts). With an expectations file it fails only on what is
 * unexpected; with a baseline only on what got worse; with both, on either.
 */
public final class Gate {

    private Gate() {
    }

    /** A judged run: the report with each verdict held against the expectations and baseline, and the decision. */
    public record Judged(Report report, Optional<Triage> triage, Optional<Regressions> regressions) {
        public boolean holds() {
            return report.gateResult().holds();
        }
    }

    public static Judged judge(Report report, FailOn failOn, Optional<Expected> expected, Optional<Baseline> baseline) {
        Optional<Triage> triage = expected.map(e -> Triage.of(report, e));
        Optional<Regressions> regressions = baseline.map(b -> Regressions.between(b.report(), b.name(), report));
        Set<String> failing = new LinkedHashSet<>();
        if (triage.isEmpty() && regressions.isEmpty()) {
            report.clauses().stream().filter(c -> c.verdict().equals(Verdict.ERROR.name())
                            || (c.verdict().equals(Verdict.FAIL.name()) && failOn.counts(Strength.parse(c.strength()))))
                    .forEach(c -> failing.add(c.id()));
        }
        triage.ifPresent(t -> t.clauses().stream().filter(c -> c.breaks(failOn)).forEach(c -> failing.add(c.clause())));
        regressions.ifPresent(r -> r.breaking(failOn).forEach(c -> failing.add(c.clause())));
        // Keep spec-map order whatever found them first.
        List<String> ordered = report.clauses().stream().map(Report.ClauseReport::id).filter(failing::contains).toList();
        Report.GateResult old = report.gateResult();
        Report.GateResult gate = new Report.GateResult(failOn.describe(),
                old.containerFailure() == null && ordered.isEmpty(), ordered, old.containerFailure(),
                triage.map(t -> expectations(t, report)).orElse(null), regressions.map(Gate::baseline).orElse(null));
        List<Report.ClauseReport> clauses = triage.map(t -> annotate(report.clauses(), t)).orElse(report.clauses());
        Report judged = new Report(report.schema(), report.implementation(), report.run(), clauses, report.totals(), gate);
        return new Judged(judged, triage, regressions);
    }

    private static List<Report.ClauseReport> annotate(List<Report.ClauseReport> clauses, Triage t) {
        List<Report.ClauseReport> out = new ArrayList<>();
        for (int i = 0; i < clauses.size(); i++) {
            Report.ClauseReport c = clauses.get(i);
            Triage.ClauseTriage ct = t.clauses().get(i);
            List<Report.TestReport> tests = new ArrayList<>();
            for (int j = 0; j < c.tests().size(); j++) {
                Report.TestReport r = c.tests().get(j);
                Triage.CheckTriage check = ct.checks().get(j);
                tests.add(new Report.TestReport(r.test(), r.verdict(), r.message(), r.durationMs(), r.evidenceDir(),
                        r.evidenceFiles(), held(check.expectedVerdict(), check.outcome(), check.entry())));
            }
            Optional<Expectation> first = ct.entries().stream().findFirst();
            out.add(new Report.ClauseReport(c.id(), c.verdict(), c.strength(), c.section(), c.source(), c.rule(),
                    c.reason(), tests, held(ct.expectedVerdict(), ct.outcome(), first)));
        }
        return out;
    }

    private static Report.Expected held(Optional<Verdict> expected, Outcome outcome, Optional<Expectation> entry) {
        return new Report.Expected(expected.map(Verdict::name).orElse(null), outcome.label(),
                entry.map(Expectation::reason).orElse(null), entry.flatMap(Expectation::link).orElse(null));
    }

    private static Report.ExpectationsResult expectations(Triage t, Report report) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Outcome o : Outcome.values()) {
            counts.put(o.label(), t.with(o).size());
        }
        return new Report.ExpectationsResult(t.expected().file().toString(),
                Subject.of(report.implementation()).describe(), t.expected().size(), counts,
                lines(t, Outcome.UNEXPECTED), lines(t, Outcome.UNEXPECTED_PASS));
    }

    /**
     * {@code CLAUSE CHECK: VERDICT, expected VERDICT} for each check of that outcome; a whole-clause entry whose
     * clause does better than expected while none of its checks does (a clause expected NOT_APPLICABLE that
     * PASSes) is one line for the clause.
     */
    private static List<String> lines(Triage t, Outcome outcome) {
        List<String> out = new ArrayList<>();
        for (Triage.ClauseTriage c : t.clauses()) {
            List<Triage.CheckTriage> checks = c.checks().stream().filter(k -> k.outcome() == outcome).toList();
            checks.forEach(k -> out.add(c.clause() + " " + k.check() + ": " + k.verdict() + ", expected "
                    + k.expectedVerdict().map(Verdict::name).orElse("PASS or NOT_APPLICABLE")));
            if (checks.isEmpty() && c.outcome() == outcome && outcome == Outcome.UNEXPECTED_PASS) {
                out.add(c.clause() + ": " + c.verdict() + ", expected " + c.expectedVerdict().orElseThrow());
            }
        }
        return out;
    }

    private static Report.BaselineResult baseline(Regressions r) {
        return new Report.BaselineResult(r.baseline(), r.baselineImplementation(),
                r.worse().stream().map(Regressions.Change::describe).toList(),
                r.better().stream().map(Regressions.Change::describe).toList(), r.notJudged());
    }
}
