package dev.vmclock.gate;

import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.report.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reports of made-up runs, clause by clause and check by check, for the gate's pure logic. */
final class Runs {

    static final SpecMap SPEC = SpecMap.load();

    private final Map<String, List<Report.TestReport>> clauses = new LinkedHashMap<>();
    private String version = "11.1.3";

    static Runs run() {
        return new Runs();
    }

    Runs version(String v) {
        this.version = v;
        return this;
    }

    /** One check of a clause with its verdict; the clause's verdict is their combination. */
    Runs check(String clause, String test, String verdict) {
        clauses.computeIfAbsent(clause, k -> new ArrayList<>())
                .add(new Report.TestReport(test, verdict, verdict.equals("PASS") ? "" : verdict + " of " + test, 5, null,
                        List.of()));
        return this;
    }

    Report report() {
        List<Report.ClauseReport> cs = new ArrayList<>();
        clauses.forEach((id, tests) -> {
            var e = SPEC.get(id);
            String verdict = tests.stream().map(t -> dev.vmclock.conformance.Verdict.valueOf(t.verdict()))
                    .reduce(dev.vmclock.conformance.Verdict::combine).orElseThrow().name();
            cs.add(new Report.ClauseReport(id, verdict, e.strength().label(), e.section(), e.source(), e.rule(),
                    tests.stream().map(Report.TestReport::message).filter(m -> !m.isEmpty()).findFirst().orElse(""),
                    tests));
        });
        Report.Implementation impl = new Report.Implementation(new Report.Vmm("qemu", version, "/usr/bin/qemu-system-x86_64"),
                "q35", new Report.Accelerator("tcg", "no KVM"), null, new Report.Host("h", "k", 2));
        return new Report(Report.SCHEMA, impl, new Report.RunInfo("2026-12-07T00:00:00Z", "test", null, List.of(), "must",
                1), cs, new Report.Totals(cs.size(), Map.of(), Map.of()),
                new Report.GateResult("must", true, List.of(), null));
    }
}
