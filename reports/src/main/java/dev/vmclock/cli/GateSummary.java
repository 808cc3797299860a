package dev.vmclock.cli;

import dev.vmclock.gate.Gate;
import dev.vmclock.report.Report;
import java.io.PrintStream;
import java.util.List;

/** The console's account of a judged run (run, report --gate): what FAILed, and what was expected or got worse. */
final class GateSummary {

    private GateSummary() {
    }

    static void print(Gate.Judged judged, PrintStream out) {
        Report r = judged.report();
        Report.GateResult g = r.gateResult();
        for (Report.ClauseReport c : r.clauses()) {
            if (c.verdict().equals("FAIL") || c.verdict().equals("ERROR")) {
                String held = c.expectation() == null ? "" : String.format("%-16s", c.expectation().outcome().equals("expected")
                        ? "expected" : "UNEXPECTED");
                String why = c.expectation() != null && c.expectation().outcome().equals("expected")
                        ? c.expectation().reason() : c.reason();
                out.printf("  %-5s %-16s %-10s %s%s%n", c.verdict(), c.id(), c.strength(), held, oneLine(why));
            }
        }
        if (g.expectations() != null) {
            Report.ExpectationsResult e = g.expectations();
            out.printf("expectations %s (%d entries for %s): clauses %s%n", e.file(), e.entries(), e.implementation(),
                    e.outcomes());
            list("UNEXPECTED", e.unexpected(), out);
            list("stale", e.unexpectedPass(), out); // an expected FAIL that PASSes now
        }
        if (g.baseline() != null) {
            Report.BaselineResult b = g.baseline();
            out.printf("baseline %s (%s): %d checks worse, %d better%s%n", b.baseline(), b.implementation(),
                    b.worse().size(), b.better().size(), b.notJudged().isEmpty() ? ""
                            : ", " + b.notJudged().size() + " clauses of the baseline not judged in this run");
            list("worse", b.worse(), out);
            list("better", b.better(), out);
        }
        if (!g.failing().isEmpty()) {
            out.println("breaking the gate: " + String.join(", ", g.failing()));
        }
    }

    private static void list(String what, List<String> lines, PrintStream out) {
        lines.forEach(l -> out.printf("  %-10s %s%n", what, l));
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s+", " ");
    }
}
