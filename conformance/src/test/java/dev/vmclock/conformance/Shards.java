package dev.vmclock.conformance;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Splits the full tier across CI jobs: with {@code -Dvmclock.shard=K/N} (1 <= K <= N) a job runs the K-th of N
 * shares of the tests this extension is on, and reports the rest as skipped ("in shard J/N"). Every fault runs
 * in exactly one shard: a parameterized test's invocations go round-robin by their index, a plain test by a stable
 * hash of its class and method. Without the property every test runs (this machine's CI, {@code bash .ci/run}).
 */
public final class Shards implements ExecutionCondition {

    /** The system property: {@code K/N}. */
    public static final String PROPERTY = "vmclock.shard";
    private static final Pattern SHARD = Pattern.compile("(\\d+)/(\\d+)");
    private static final Pattern INVOCATION = Pattern.compile("\\[test-template-invocation:#(\\d+)]$");
    private static final Pattern TEMPLATE = Pattern.compile("\\[test-template:[^]]*]$");

    /** This JVM's shard, or empty when the property is unset (blank counts as unset). */
    record Shard(int k, int n) {

        static Optional<Shard> fromProperty() {
            String value = System.getProperty(PROPERTY, "").strip();
            return value.isEmpty() ? Optional.empty() : Optional.of(parse(value));
        }

        static Shard parse(String value) {
            Matcher m = SHARD.matcher(value);
            if (m.matches()) {
                int k = Integer.parseInt(m.group(1));
                int n = Integer.parseInt(m.group(2));
                if (k >= 1 && k <= n) {
                    return new Shard(k, n);
                }
            }
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + ": give K/N with 1 <= K <= N, e.g. 2/4");
        }

        /** The shard (1..n) a test belongs to, from its unique id. */
        int of(String uniqueId) {
            Matcher m = INVOCATION.matcher(uniqueId);
            if (m.find()) {
                return (Integer.parseInt(m.group(1)) - 1) % n + 1;
            }
            return Math.floorMod(uniqueId.hashCode(), n) + 1;
        }
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<Shard> shard = Shard.fromProperty();
        String id = context.getUniqueId();
        if (shard.isEmpty() || context.getTestMethod().isEmpty() || TEMPLATE.matcher(id).find()) {
            return ConditionEvaluationResult.enabled("not sharded here (a class, or a parameterized test's container)");
        }
        int own = shard.get().of(id);
        String where = "in shard " + own + "/" + shard.get().n();
        return own == shard.get().k() ? ConditionEvaluationResult.enabled(where) : ConditionEvaluationResult.disabled(where);
    }
}
