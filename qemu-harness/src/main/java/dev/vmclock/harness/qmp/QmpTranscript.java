package dev.vmclock.harness.qmp;

import dev.vmclock.harness.events.Transcript;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Every line exchanged on one QMP connection, in order, with the time it was sent or received. */
public final class QmpTranscript {

    public enum Direction { SENT, RECEIVED }

    public record Entry(Instant at, Direction direction, String json) {
        @Override
        public String toString() {
            return at + (direction == Direction.SENT ? " -> " : " <- ") + json;
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    synchronized void add(Direction direction, String json) {
        entries.add(new Entry(Instant.now(), direction, json));
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Number of entries so far: a mark to cut {@link #since} from. */
    public synchronized int size() {
        return entries.size();
    }

    public synchronized List<Entry> since(int mark) {
        return List.copyOf(entries.subList(Math.min(mark, entries.size()), entries.size()));
    }

    /** The entries as the neutral transcript events carry. */
    public static List<Transcript.Line> asLines(List<Entry> entries) {
        return entries.stream().map(e -> new Transcript.Line(e.at(), e.direction() == Direction.SENT
                ? Transcript.Direction.TO_VMM : Transcript.Direction.FROM_VMM, e.json())).toList();
    }

    public String toText() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries()) {
            sb.append(e).append('\n');
        }
        return sb.toString();
    }
}
