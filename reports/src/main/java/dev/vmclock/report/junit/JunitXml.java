package dev.vmclock.report.junit;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.TestOutcome;
import dev.vmclock.conformance.spec.ClauseEntry;
import dev.vmclock.gate.FailOn;
import dev.vmclock.report.Report;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * JUnit XML for CI systems, in the schema they all read (Ant's / Surefire's): one {@code <testsuite>} per
 * spec-map section, one {@code <testcase>} per conformance test named by its clauses. FAIL is a
 * {@code <failure>} typed with the clause's strength, ERROR an {@code <error>}, NOT_APPLICABLE a
 * {@code <skipped>} with its reason. A SHOULD-level FAIL stays a failure here: the gate (the exit code)
 * decides what fails the run, the XML reports what happened. Sections and strengths come from the
 * run's own clauses, so any spec's clauses (VMC-..., VRTC-...) are reported alike.
 *
 * <p>With an expectations file ({@code run --expectations}) the XML shows expected and unexpected apart, so that
 * a CI job turns red on what is unexpected only: an expected FAIL or ERROR is a {@code <skipped>} whose message
 * starts "expected FAIL" and gives the entry's reason; an unexpected one stays a failure or error; a result better
 * than expected (a stale entry) is a {@code <failure type="UNEXPECTED PASS">} when the gate counts those, else a
 * pass noting it.
 */
public final class JunitXml {

    public static final String FILE = "junit.xml";

    private final XMLStreamWriter x;
    private final Map<String, ClauseEntry> clauses;
    private final Path reportDir;
    /** Each (clause, check)'s expectation from the judged report; empty without an expectations file. */
    private final Map<String, Report.Expected> expectations;
    private final boolean failOnUnexpectedPass;

    private JunitXml(XMLStreamWriter x, SuiteRun run, Path reportDir, Report judged, boolean failOnUnexpectedPass) {
        this.x = x;
        this.clauses = run.clauses().stream().map(ClauseResult::clause)
                .collect(Collectors.toMap(ClauseEntry::id, Function.identity(), (a, b) -> a));
        this.reportDir = reportDir;
        this.expectations = new java.util.HashMap<>();
        if (judged != null) {
            judged.clauses().forEach(c -> c.tests().stream().filter(t -> t.expectation() != null)
                    .forEach(t -> expectations.put(c.id() + " " + t.test(), t.expectation())));
        }
        this.failOnUnexpectedPass = failOnUnexpectedPass;
    }

    /** @param reportDir evidence paths are written relative to it */
    public static Path write(SuiteRun run, Report.Implementation implementation, Path reportDir) {
        return write(run, implementation, null, reportDir, null, null);
    }

    /**
     * The run as the gate judged it: its implementation record, reference clock and expectations per check.
     *
     * @param failOn the gate's rule: whether a result better than expected is a failure
     */
    public static Path write(SuiteRun run, Report judged, Path reportDir, FailOn failOn) {
        return write(run, judged.implementation(), judged.run().referenceClock(), reportDir, judged, failOn);
    }

    private static Path write(SuiteRun run, Report.Implementation implementation, String referenceClock,
                              Path reportDir, Report judged, FailOn failOn) {
        Path file = reportDir.resolve(FILE);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(w);
            new JunitXml(x, run, reportDir, judged, failOn != null && failOn.unexpectedPass())
                    .document(run, implementation, referenceClock);
            x.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } catch (XMLStreamException e) {
            throw new UncheckedIOException("cannot write " + file, new IOException(e));
        }
        return file;
    }

    private void document(SuiteRun run, Report.Implementation implementation, String referenceClock)
            throws XMLStreamException {
        Map<String, List<TestOutcome>> bySection = new LinkedHashMap<>();
        for (TestOutcome t : run.tests()) {
            String section = entries(t).map(ClauseEntry::section).findFirst().orElse("(no section)");
            bySection.computeIfAbsent(section, k -> new ArrayList<>()).add(t);
        }
        String label = implementation.describe(referenceClock);
        x.writeStartDocument("UTF-8", "1.0");
        x.writeCharacters("\n");
        x.writeStartElement("testsuites");
        x.writeAttribute("name", safe("vmclock-conformance: " + label));
        counts(run.tests(), run.elapsed().toMillis());
        x.writeCharacters("\n");
        Map<String, String> properties = properties(implementation, label, referenceClock);
        for (Map.Entry<String, List<TestOutcome>> s : bySection.entrySet()) {
            x.writeCharacters("  ");
            x.writeStartElement("testsuite");
            x.writeAttribute("name", safe(s.getKey()));
            counts(s.getValue(), s.getValue().stream().mapToLong(t -> t.duration().toMillis()).sum());
            x.writeCharacters("\n    ");
            x.writeStartElement("properties");
            for (Map.Entry<String, String> p : properties.entrySet()) {
                x.writeEmptyElement("property");
                x.writeAttribute("name", p.getKey());
                x.writeAttribute("value", safe(p.getValue()));
            }
            x.writeEndElement();
            x.writeCharacters("\n");
            for (TestOutcome t : s.getValue()) {
                testcase(t);
            }
            x.writeCharacters("  ");
            x.writeEndElement();
            x.writeCharacters("\n");
        }
        x.writeEndElement();
        x.writeCharacters("\n");
        x.writeEndDocument();
    }

    /** The implementation record field by field, after the line naming it, for a CI system's test-suite view. */
    private static Map<String, String> properties(Report.Implementation i, String label, String referenceClock) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("implementation", label);
        p.put("vmm", i.vmm().name());
        p.put("vmm.version", i.vmm().version());
        p.put("vmm.path", i.vmm().path());
        p.put("vmm.where", i.vmm().where());
        new java.util.TreeMap<>(i.vmm().details()).forEach((k, v) -> p.put("vmm.details." + k, v));
        p.put("machine", i.machine());
        p.put("accelerator", i.accelerator().name());
        if (i.hop() != null) {
            p.put("hop.version", i.hop().vmm().version());
            p.put("hop.where", i.hop().vmm().where());
        }
        if (referenceClock != null) {
            p.put("reference_clock", referenceClock);
        }
        return p;
    }

    private void testcase(TestOutcome t) throws XMLStreamException {
        x.writeCharacters("    ");
        x.writeStartElement("testcase");
        x.writeAttribute("name", safe(String.join(",", t.clauses()) + " " + t.method()));
        x.writeAttribute("classname", safe(t.qualifiedClass()));
        x.writeAttribute("time", seconds(t.duration().toMillis()));
        String strength = entries(t).map(ClauseEntry::strength).min(Comparator.naturalOrder()).map(s -> s.label())
                .orElse("?");
        String message = safe(t.message());
        Optional<Report.Expected> held = held(t);
        Optional<String> note = Optional.empty();
        if (held.filter(h -> h.outcome().equals("expected") && h.expected() != null).isPresent()) {
            // Expected FAIL, ERROR or NOT_APPLICABLE: reported, never red.
            x.writeEmptyElement("skipped");
            x.writeAttribute("message", safe("expected " + t.verdict() + " (" + held.get().reason() + "): " + message));
        } else if (held.filter(h -> h.outcome().equals("unexpected-pass")).isPresent()) {
            String stale = "expected " + held.get().expected() + ", got " + t.verdict() + " (" + held.get().reason()
                    + "): the expectation is stale, remove or update it";
            if (failOnUnexpectedPass) {
                problem("failure", "UNEXPECTED PASS", safe(stale));
            } else {
                note = Optional.of(stale);
            }
        } else {
            switch (t.verdict()) {
                case PASS -> { }
                case FAIL -> problem("failure", "FAIL " + strength, message);
                case ERROR -> problem("error", "ERROR", message);
                case NOT_APPLICABLE -> {
                    x.writeEmptyElement("skipped");
                    x.writeAttribute("message", "NOT_APPLICABLE: " + message);
                }
            }
        }
        Optional<String> evidence = t.evidenceDir().map(Path::of).map(d -> d.isAbsolute()
                && d.startsWith(reportDir.toAbsolutePath()) ? reportDir.toAbsolutePath().relativize(d).toString() : d.toString());
        if (evidence.isPresent() || note.isPresent()) {
            x.writeStartElement("system-out");
            x.writeCharacters(safe(Stream.concat(note.stream(), evidence.map(e -> "evidence: " + e).stream())
                    .collect(Collectors.joining("\n"))));
            x.writeEndElement();
        }
        x.writeEndElement();
        x.writeCharacters("\n");
    }

    /**
     * The test's expectation; a test that checks several clauses takes the least expected of them (an unexpected
     * result in one clause is not hidden by an expected one in another).
     */
    private Optional<Report.Expected> held(TestOutcome t) {
        List<Report.Expected> hs = t.clauses().stream().map(c -> expectations.get(c + " " + t.testName()))
                .filter(Objects::nonNull).toList();
        return hs.stream().filter(h -> h.outcome().equals("unexpected")).findFirst()
                .or(() -> hs.stream().filter(h -> h.outcome().equals("unexpected-pass")).findFirst())
                .or(() -> hs.stream().findFirst());
    }

    private void problem(String element, String type, String message) throws XMLStreamException {
        x.writeStartElement(element);
        x.writeAttribute("type", type);
        x.writeAttribute("message", message);
        x.writeCharacters(message);
        x.writeEndElement();
    }

    private Stream<ClauseEntry> entries(TestOutcome t) {
        return t.clauses().stream().map(clauses::get).filter(Objects::nonNull);
    }

    /** The counts agree with the elements written: an expected FAIL is counted as skipped, a stale one as a failure. */
    private void counts(List<TestOutcome> tests, long millis) throws XMLStreamException {
        long failures = 0;
        long errors = 0;
        long skipped = 0;
        for (TestOutcome t : tests) {
            Optional<Report.Expected> h = held(t);
            if (h.filter(e -> e.outcome().equals("expected") && e.expected() != null).isPresent()) {
                skipped++;
            } else if (h.filter(e -> e.outcome().equals("unexpected-pass")).isPresent()) {
                failures += failOnUnexpectedPass ? 1 : 0;
            } else {
                failures += t.verdict() == Verdict.FAIL ? 1 : 0;
                errors += t.verdict() == Verdict.ERROR ? 1 : 0;
                skipped += t.verdict() == Verdict.NOT_APPLICABLE ? 1 : 0;
            }
        }
        x.writeAttribute("tests", Integer.toString(tests.size()));
        x.writeAttribute("failures", Long.toString(failures));
        x.writeAttribute("errors", Long.toString(errors));
        x.writeAttribute("skipped", Long.toString(skipped));
        x.writeAttribute("time", seconds(millis));
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    /**
     * The writer escapes markup but passes every character through; control characters other than tab and
     * newline cannot appear in XML 1.0 at all, so they go.
     */
    static String safe(String s) {
        return s.codePoints().filter(c -> c >= 0x20 || c == '\t' || c == '\n')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
