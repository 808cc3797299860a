package dev.vmclock.report.junit;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.TestOutcome;
import dev.vmclock.conformance.spec.ClauseEntry;
import dev.vmclock.conformance.spec.SpecMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * JUnit XML for CI systems, in the schema they all read (Ant's / Surefire's): one {@code <testsuite>} per
 * spec-map section, one {@code <testcase>} per conformance test named by its clauses. FAIL is a
 * {@code <failure>} typed with the clause's strength, ERROR an {@code <error>}, NOT_APPLICABLE a
 * {@code <skipped>} with its reason. A SHOULD-level FAIL stays a failure here: the gate (the exit code)
 * decides what fails the run, the XML reports what happened.
 */
public final class JunitXml {

    public static final String FILE = "junit.xml";

    private JunitXml() {
    }

    /** @param reportDir evidence paths are written relative to it */
    public static Path write(SuiteRun run, SpecMap specMap, String implementation, Path reportDir) {
        Map<String, List<TestOutcome>> bySection = new LinkedHashMap<>();
        for (TestOutcome t : run.tests()) {
            String section = t.clauses().stream().map(specMap::find).flatMap(Optional::stream).map(ClauseEntry::section)
                    .findFirst().orElse("(no section)");
            bySection.computeIfAbsent(section, k -> new ArrayList<>()).add(t);
        }
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append("<testsuites name=\"vmclock-conformance: ").append(esc(implementation)).append('"')
                .append(counts(run.tests())).append(" time=\"").append(seconds(run.elapsed().toMillis())).append("\">\n");
        bySection.forEach((section, tests) -> {
            x.append("  <testsuite name=\"").append(esc(section)).append('"').append(counts(tests))
                    .append(" time=\"").append(seconds(tests.stream().mapToLong(t -> t.duration().toMillis()).sum()))
                    .append("\">\n    <properties><property name=\"implementation\" value=\"").append(esc(implementation))
                    .append("\"/></properties>\n");
            tests.forEach(t -> testcase(x, t, specMap, reportDir));
            x.append("  </testsuite>\n");
        });
        x.append("</testsuites>\n");
        Path file = reportDir.resolve(FILE);
        try {
            Files.writeString(file, x);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private static void testcase(StringBuilder x, TestOutcome t, SpecMap specMap, Path reportDir) {
        x.append("    <testcase name=\"").append(esc(String.join(",", t.clauses()) + " " + t.method()))
                .append("\" classname=\"dev.vmclock.conformance.suite.").append(esc(t.testClass()))
                .append("\" time=\"").append(seconds(t.duration().toMillis())).append('"');
        String strength = t.clauses().stream().map(specMap::find).flatMap(Optional::stream).map(ClauseEntry::strength)
                .min(Comparator.naturalOrder()).map(s -> s.label()).orElse("?");
        String message = esc(t.message());
        switch (t.verdict()) {
            case PASS -> x.append('>');
            case FAIL -> x.append("><failure type=\"FAIL ").append(strength).append("\" message=\"").append(message)
                    .append("\">").append(message).append("</failure>");
            case ERROR -> x.append("><error type=\"ERROR\" message=\"").append(message).append("\">").append(message)
                    .append("</error>");
            case NOT_APPLICABLE -> x.append("><skipped message=\"NOT_APPLICABLE: ").append(message).append("\"/>");
        }
        t.evidenceDir().map(Path::of).map(d -> d.isAbsolute() && d.startsWith(reportDir.toAbsolutePath())
                        ? reportDir.toAbsolutePath().relativize(d).toString() : d.toString())
                .ifPresent(d -> x.append("<system-out>evidence: ").append(esc(d)).append("</system-out>"));
        x.append("</testcase>\n");
    }

    private static String counts(List<TestOutcome> tests) {
        return " tests=\"" + tests.size() + "\" failures=\"" + count(tests, Verdict.FAIL) + "\" errors=\""
                + count(tests, Verdict.ERROR) + "\" skipped=\"" + count(tests, Verdict.NOT_APPLICABLE) + "\"";
    }

    private static long count(List<TestOutcome> tests, Verdict v) {
        return tests.stream().filter(t -> t.verdict() == v).count();
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.3f", millis / 1000.0);
    }

    /** XML 1.0 escaping; control characters other than tab/newline cannot appear at all, so they go. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
