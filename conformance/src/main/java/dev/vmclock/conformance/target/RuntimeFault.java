package dev.vmclock.conformance.target;

import java.util.Arrays;
import java.util.Locale;

/**
 * Deliberate misbehaviour the harness adds to a correct implementation at run time, through the qtest
 * socket, to prove that the suite notices: each fault must make exactly its clauses FAIL.
 */
public enum RuntimeFault {
    /** A field after time_type changes between any two host reads while seq_count stays the same. */
    FIELD_WITHOUT_SEQ_COUNT,
    /** Right after boot an update starts (seq_count odd) and never finishes. */
    SEQ_COUNT_LEFT_ODD,
    /** After every lifecycle event, a constant field (counter_id) is rewritten (its low bit toggled). */
    CONSTANT_REWRITTEN_AFTER_EVENT,
    /** After each restore (loadvm, restore from file) the marker is set back to its pre-event value. */
    MARKER_ROLLED_BACK_AFTER_RESTORE,
    /**
     * The device updates the page on loadvm, live migration and restore (the new marker) but then puts
     * seq_count back to its pre-event value, as if the update never happened for a reader.
     */
    SEQ_COUNT_KEPT_ACROSS_UPDATE,
    /**
     * The marker follows the wrong events: put back after a live migration (the counter was disrupted, the
     * guest is not told), and bumped by savevm and pause/resume (nothing was disrupted).
     */
    MARKER_ON_WRONG_EVENTS,
    /** With the generation counter advertised: it is bumped by every event, live migration and pause included. */
    GENERATION_ON_EVERY_EVENT;

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static RuntimeFault parse(String id) {
        return Arrays.stream(values()).filter(f -> f.id().equals(id) || f.name().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown fault '" + id + "'; known: "
                        + Arrays.stream(values()).map(RuntimeFault::id).toList()));
    }
}
