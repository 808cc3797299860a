package dev.vmclock.report.allure;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.spec.ClauseEntry;
import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.conformance.spec.Strength;
import dev.vmclock.conformance.junit.TargetExtension;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.model.Label;
import io.qameta.allure.model.Link;
import io.qameta.allure.model.Parameter;
import io.qameta.allure.model.TestResult;
import io.qameta.allure.util.ResultsUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Gives each Allure test result what an auditor navigates by: epic = spec-map section, feature = clause,
 * severity from the clause's strength, a link to the clause, the implementation as parent suite and
 * parameter (so a CI matrix merged into one report keeps one row per implementation, not "retries"), and
 * the test's evidence files as attachments.
 *
 * <p>Registered after {@code AllureJunitPlatform}: JUnit notifies {@code executionStarted} in registration
 * order (the Allure test case is current when the labels are added) and {@code executionFinished} in
 * reverse order (the evidence is attached before Allure writes the result).
 */
final class ClauseResults implements TestExecutionListener {

    private final AllureLifecycle lifecycle;
    private final SpecMap specMap;
    private final String implementation;
    private final String specMapUrl;
    private final Map<String, Path> evidence = new ConcurrentHashMap<>();

    ClauseResults(AllureLifecycle lifecycle, SpecMap specMap, String implementation, String specMapUrl) {
        this.lifecycle = lifecycle;
        this.specMap = specMap;
        this.implementation = implementation;
        this.specMapUrl = specMapUrl;
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        clauses(id).ifPresent(ids -> lifecycle.updateTestCase(tc -> label(tc, id, ids)));
    }

    private void label(TestResult tc, TestIdentifier id, List<String> ids) {
        List<ClauseEntry> entries = ids.stream().map(specMap::find).flatMap(Optional::stream).toList();
        List<Label> labels = tc.getLabels();
        // Replace what the plain listener derived from Java names with the spec's own structure.
        labels.removeIf(l -> List.of("parentSuite", "suite", "subSuite", "epic", "feature", "severity")
                .contains(l.getName()));
        labels.add(ResultsUtils.createParentSuiteLabel(implementation));
        entries.stream().findFirst().ifPresent(e -> {
            labels.add(ResultsUtils.createSuiteLabel(e.section()));
            labels.add(ResultsUtils.createEpicLabel(e.section()));
        });
        entries.forEach(e -> labels.add(ResultsUtils.createFeatureLabel(e.id())));
        entries.stream().map(ClauseEntry::strength).min(Enum::compareTo)
                .ifPresent(s -> labels.add(new Label().setName("severity").setValue(severity(s))));
        entries.forEach(e -> labels.add(new Label().setName("tag").setValue(e.strength().label())));
        tc.getLinks().addAll(entries.stream().map(e -> new Link().setName(e.id()).setType("tms")
                .setUrl(specMapUrl + "#:~:text=" + URLEncoder.encode(e.id(), StandardCharsets.UTF_8))).toList());
        tc.getParameters().add(new Parameter().setName("implementation").setValue(implementation));
        tc.setName(String.join(", ", ids) + ": " + entries.stream().findFirst().map(ClauseEntry::rule).orElse(id.getDisplayName()));
        tc.setDescription(entries.stream().map(e -> e.id() + " (" + e.strength().label() + ", " + e.source() + "): "
                + e.rule()).reduce((a, b) -> a + "\n\n" + b).orElse(""));
        // One history per clause test and implementation: the matrix's columns stay apart when merged.
        tc.setHistoryId(ResultsUtils.md5(id.getUniqueId() + "|" + implementation));
        tc.setTestCaseId(ResultsUtils.md5(id.getUniqueId()));
    }

    /** Allure's severity scale, by what the default gate does with a failure. */
    static String severity(Strength s) {
        return switch (s) {
            case MUST, MUST_NOT -> "critical";
            case SHOULD, SHOULD_NOT -> "normal";
            default -> "minor";
        };
    }

    @Override
    public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
        String dir = entry.getKeyValuePairs().get(TargetExtension.EVIDENCE_ENTRY);
        if (dir != null) {
            evidence.put(id.getUniqueId(), Path.of(dir));
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        Path dir = evidence.remove(id.getUniqueId());
        if (dir == null || clauses(id).isEmpty() || !Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Files::isRegularFile).sorted().forEach(this::attach);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list evidence " + dir, e);
        }
    }

    private void attach(Path file) {
        String name = file.getFileName().toString();
        boolean binary = name.endsWith(".bin");
        try {
            lifecycle.addAttachment(name, binary ? "application/octet-stream" : "text/plain",
                    binary ? "bin" : "txt", Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read evidence " + file, e);
        }
    }

    private static Optional<List<String>> clauses(TestIdentifier id) {
        return id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .map(MethodSource::getJavaMethod).map(m -> m.getAnnotation(Clause.class))
                .map(c -> Arrays.asList(c.value()));
    }
}
