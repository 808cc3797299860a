package dev.vmclock.conformance.run;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.junit.TargetExtension;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Turns JUnit results into verdicts: success is PASS, an assertion failure FAIL, an abort carrying
 * {@link NotApplicable#PREFIX} NOT_APPLICABLE, anything else (a harness or QEMU exception, a stray
 * abort) ERROR, never a skip.
 */
public final class VerdictListener implements TestExecutionListener {

    private final List<TestOutcome> outcomes = new CopyOnWriteArrayList<>();
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final Map<String, String> evidence = new ConcurrentHashMap<>();
    private final Consumer<TestOutcome> progress;

    public VerdictListener(Consumer<TestOutcome> progress) {
        this.progress = progress;
    }

    public List<TestOutcome> outcomes() {
        return List.copyOf(outcomes);
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        started.put(id.getUniqueId(), System.nanoTime());
    }

    @Override
    public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
        entry.getKeyValuePairs().entrySet().stream().filter(e -> e.getKey().equals(TargetExtension.EVIDENCE_ENTRY))
                .findFirst().ifPresent(e -> evidence.put(id.getUniqueId(), e.getValue()));
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        Optional<Method> method = id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .map(MethodSource::getJavaMethod);
        if (method.isEmpty()) {
            // A class or engine that failed around its tests (e.g. the target could not start): ERROR for its tests.
            if (result.getStatus() == TestExecutionResult.Status.FAILED && !id.isTest()) {
                result.getThrowable().ifPresent(t -> containerFailure = t);
            }
            return;
        }
        Clause clause = method.get().getAnnotation(Clause.class);
        if (clause == null) {
            return;
        }
        Throwable t = result.getThrowable().orElse(null);
        Verdict verdict = switch (result.getStatus()) {
            case SUCCESSFUL -> Verdict.PASS;
            case ABORTED -> t != null && String.valueOf(t.getMessage()).startsWith(NotApplicable.PREFIX)
                    ? Verdict.NOT_APPLICABLE : Verdict.ERROR;
            case FAILED -> t instanceof AssertionError ? Verdict.FAIL : Verdict.ERROR;
        };
        String message = t == null ? "" : verdict == Verdict.ERROR ? t.toString() : String.valueOf(t.getMessage());
        if (verdict == Verdict.NOT_APPLICABLE) {
            message = message.substring(NotApplicable.PREFIX.length());
        }
        long t0 = started.getOrDefault(id.getUniqueId(), System.nanoTime());
        TestOutcome o = new TestOutcome(method.get().getDeclaringClass().getPackageName(),
                method.get().getDeclaringClass().getSimpleName(), method.get().getName(),
                List.of(clause.value()), verdict, message.strip(), Duration.ofNanos(System.nanoTime() - t0),
                Optional.ofNullable(evidence.get(id.getUniqueId())));
        outcomes.add(o);
        progress.accept(o);
    }

    private volatile Throwable containerFailure;

    /** Why a whole class or the engine failed, if one did (its tests then never ran). */
    public Optional<Throwable> containerFailure() {
        return Optional.ofNullable(containerFailure);
    }
}
