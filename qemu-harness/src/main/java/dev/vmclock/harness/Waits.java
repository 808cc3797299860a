package dev.vmclock.harness;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Every bounded wait of the harness, on Awaitility: a probe polled until a condition holds or the deadline
 * passes. Probes run in the calling thread (QMP, qtest and process handles are not shared with a poller
 * thread), the first one at once. On a timeout the caller gets the last value seen, so its one-line
 * message can say what the wait saw instead of Awaitility's.
 */
public final class Waits {

    private Waits() {
    }

    /**
     * Polls {@code probe} every {@code interval} until {@code done} accepts its value or {@code timeout}
     * passes; returns the last value either way (test it with {@code done} to tell which).
     */
    public static <T> T poll(Duration timeout, Duration interval, Supplier<T> probe, Predicate<? super T> done) {
        AtomicReference<T> last = new AtomicReference<>();
        try {
            return Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(interval)
                    .pollInSameThread().until(() -> {
                        T value = probe.get();
                        last.set(value);
                        return value;
                    }, done::test);
        } catch (ConditionTimeoutException e) {
            return last.get() != null ? last.get() : probe.get();
        }
    }

    /** {@link #poll}, where a timeout throws {@code onTimeout} of the last value seen. */
    public static <T> T await(Duration timeout, Duration interval, Supplier<T> probe, Predicate<? super T> done,
                              Function<? super T, ? extends RuntimeException> onTimeout) {
        T value = poll(timeout, interval, probe, done);
        if (!done.test(value)) {
            throw onTimeout.apply(value);
        }
        return value;
    }
}
