package dev.vmclock.harness.qmp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The events of one QMP connection, kept in arrival order. To wait for the consequence of a command
 * without racing it, take a {@link Cursor} before sending the command and await on the cursor.
 */
public final class QmpEvents {

    private final List<QmpEvent> history = new ArrayList<>();
    private boolean closed;

    synchronized void add(QmpEvent event) {
        history.add(event);
        notifyAll();
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }

    public synchronized List<QmpEvent> history() {
        return List.copyOf(history);
    }

    /** A cursor positioned after every event received so far. */
    public synchronized Cursor cursor() {
        return new Cursor(history.size());
    }

    /** A position in the event history; each await consumes events up to the one it returns. */
    public final class Cursor {
        private int next;

        private Cursor(int next) {
            this.next = next;
        }

        public QmpEvent await(String name, Duration timeout) {
            return await(name, e -> true, timeout);
        }

        /** The next event named {@code name} matching {@code condition}; throws on timeout or disconnect. */
        public QmpEvent await(String name, Predicate<QmpEvent> condition, Duration timeout) {
            return poll(name, condition, timeout).orElseThrow(
                    () -> new QmpTimeoutException("waiting for event " + name, timeout));
        }

        public Optional<QmpEvent> poll(String name, Predicate<QmpEvent> condition, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (QmpEvents.this) {
                while (true) {
                    while (next < history.size()) {
                        QmpEvent e = history.get(next++);
                        if (e.is(name) && condition.test(e)) {
                            return Optional.of(e);
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (closed) {
                        throw new QmpException("QMP connection closed while waiting for event " + name);
                    }
                    if (left <= 0) {
                        return Optional.empty();
                    }
                    try {
                        QmpEvents.this.wait(Math.max(1, left / 1_000_000), 0);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new QmpException("interrupted while waiting for event " + name, ie);
                    }
                }
            }
        }
    }
}
