package dev.vmclock.report.allure;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.gate.Expected;
import dev.vmclock.gate.Outcome;
import dev.vmclock.gate.Triage;
import io.qameta.allure.AllureResultsWriter;
import io.qameta.allure.model.Label;
import io.qameta.allure.model.Status;
import io.qameta.allure.model.StatusDetails;
import io.qameta.allure.model.TestResult;
import io.qameta.allure.model.TestResultContainer;
import io.qameta.allure.util.ResultsUtils;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Holds each Allure result against the run's expectations as it is written (the last moment its status is
 * known): a tag {@code expected}, {@code unexpected} or {@code unexpected-pass}, the message prefixed with what
 * was expected, and an expected FAIL or ERROR marked "known" so Allure files it under the category of expected
 * results rather than the failures.
 */
final class HeldResults implements AllureResultsWriter {

    static final String EXPECTED_PREFIX = "[expected ";

    private final AllureResultsWriter delegate;
    private final Expected expected;

    HeldResults(AllureResultsWriter delegate, Expected expected) {
        this.delegate = delegate;
        this.expected = expected;
    }

    @Override
    public void write(TestResult r) {
        List<String> clauses = values(r, ResultsUtils.FEATURE_LABEL_NAME);
        Optional<String> testClass = values(r, "testClass").stream().findFirst();
        Optional<String> method = values(r, "testMethod").stream().findFirst();
        if (!clauses.isEmpty() && testClass.isPresent() && method.isPresent() && r.getStatus() != null) {
            String check = testClass.get().substring(testClass.get().lastIndexOf('.') + 1) + "#" + method.get();
            Verdict got = verdict(r.getStatus());
            List<Triage.CheckTriage> held = clauses.stream().map(c -> Triage.check(expected, c, check, got)).toList();
            Outcome outcome = held.stream().map(Triage.CheckTriage::outcome).reduce(Outcome.EXPECTED, Outcome::worst);
            Optional<String> entry = held.stream().map(Triage.CheckTriage::entry).flatMap(Optional::stream)
                    .map(e -> e.expected() + ": " + e.reason()).findFirst();
            r.getLabels().add(new Label().setName(ResultsUtils.TAG_LABEL_NAME).setValue(outcome.label()));
            StatusDetails d = Optional.ofNullable(r.getStatusDetails()).orElseGet(StatusDetails::new);
            String message = Optional.ofNullable(d.getMessage()).orElse("");
            switch (outcome) {
                case EXPECTED -> entry.ifPresent(e -> {
                    d.setKnown(true);
                    d.setMessage(EXPECTED_PREFIX + e + "] " + message);
                });
                case UNEXPECTED -> d.setMessage("[unexpected] " + message);
                case UNEXPECTED_PASS -> d.setMessage("[better than expected, a stale entry: " + entry.orElse("") + "] "
                        + message);
            }
            r.setStatusDetails(d);
        }
        delegate.write(r);
    }

    private static Verdict verdict(Status s) {
        return switch (s) {
            case PASSED -> Verdict.PASS;
            case FAILED -> Verdict.FAIL;
            case SKIPPED -> Verdict.NOT_APPLICABLE;
            case BROKEN -> Verdict.ERROR;
        };
    }

    private static List<String> values(TestResult r, String label) {
        return r.getLabels().stream().filter(l -> label.equals(l.getName())).map(Label::getValue).toList();
    }

    @Override
    public void write(TestResultContainer c) {
        delegate.write(c);
    }

    @Override
    public void write(String source, InputStream attachment) {
        delegate.write(source, attachment);
    }
}
