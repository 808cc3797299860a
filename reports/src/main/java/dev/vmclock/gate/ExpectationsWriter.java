package dev.vmclock.gate;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.report.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The expectations file a run would pass with ({@code expectations write}): an entry per clause and verdict for
 * every check that FAILed or ERRORed, naming those checks, so that a later run that FAILs one more check of the
 * same clause is unexpected. Reasons, links and conditions come from the file being rewritten where it had an
 * entry for the same clause, check and verdict; else from {@code --reason}; else from the check's own message.
 */
public final class ExpectationsWriter {

    private static final int REASON_LENGTH = 200;

    private ExpectationsWriter() {
    }

    public static String write(Report run, String runName, Optional<ExpectationsFile> keep, Optional<String> reason) {
        Subject subject = Subject.of(run.implementation());
        Optional<Expected> old = keep.map(k -> Expected.forSubject(k, subject));
        Condition shared = keep.map(ExpectationsFile::shared).orElse(Condition.ALWAYS);
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Report.ClauseReport c : run.clauses()) {
            Map<Verdict, List<Report.TestReport>> byVerdict = new LinkedHashMap<>();
            for (Report.TestReport t : c.tests()) {
                Verdict v = Verdict.valueOf(t.verdict());
                if (Outcome.isProblem(v)) {
                    byVerdict.computeIfAbsent(v, k -> new ArrayList<>()).add(t);
                }
            }
            byVerdict.forEach((verdict, tests) -> {
                Optional<Expectation> was = old.flatMap(o -> tests.stream()
                        .map(t -> o.check(c.id(), t.test()).or(() -> o.wholeClause(c.id())))
                        .flatMap(Optional::stream).filter(e -> e.expected() == verdict).findFirst());
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("clause", c.id());
                e.put("checks", tests.stream().map(Report.TestReport::test).toList());
                e.put("expected", verdict.name());
                e.put("reason", was.map(Expectation::reason).or(() -> reason)
                        .orElseGet(() -> firstLine(tests.get(0).message(), verdict, runName)));
                was.flatMap(Expectation::link).ifPresent(l -> e.put("link", l));
                was.map(w -> w.when().without(shared).fields()).filter(f -> !f.isEmpty()).ifPresent(f -> e.put("when", f));
                entries.add(e);
            });
        }
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("schema", ExpectationsFile.SCHEMA);
        if (!shared.fields().isEmpty()) {
            file.put("when", shared.fields());
        }
        file.put("expectations", entries);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(120);
        return "# Expected results of " + subject.describe() + ", written by ./vmclock-conformance expectations write\n"
                + "# from " + runName + " (" + run.run().date() + ", suite " + run.run().suiteVersion() + ").\n"
                + "# Each entry: a clause, the checks within it, the verdict they give, and why (README: Expected results).\n"
                + new Yaml(options).dump(file);
    }

    private static String firstLine(String message, Verdict verdict, String runName) {
        String s = message == null ? "" : message.strip().replaceAll("\\s+", " ");
        if (s.isEmpty()) {
            return verdict + " in " + runName + " without a message: see its evidence";
        }
        return s.length() <= REASON_LENGTH ? s : s.substring(0, REASON_LENGTH - 1) + "…";
    }
}
