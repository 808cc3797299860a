package dev.vmclock.conformance.suite;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The values one field took along one linear timeline of the guest: the boot page (the root of every
 * timeline), the page now, then the page after each event of a chain that never goes back to an older
 * snapshot. A value that stays across steps is one presentation; a value that comes back after another
 * one was presented is a repeat (Errata 3: the MUST within one timeline).
 */
final class Timeline {

    private record Step(String when, long value) {
    }

    private final String field;
    private final List<Step> presented = new ArrayList<>();

    Timeline(String field) {
        this.field = field;
    }

    void add(String when, long value) {
        if (presented.isEmpty() || presented.get(presented.size() - 1).value() != value) {
            presented.add(new Step(when, value));
        }
    }

    /** The first value presented again after another one, described with both steps. */
    Optional<String> firstRepeat() {
        for (int j = 1; j < presented.size(); j++) {
            for (int i = 0; i < j; i++) {
                if (presented.get(i).value() == presented.get(j).value()) {
                    return Optional.of(field + " " + Long.toUnsignedString(presented.get(j).value()) + " "
                            + presented.get(j).when() + " was already presented " + presented.get(i).when());
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(field).append(" along one timeline:");
        presented.forEach(s -> b.append(' ').append(Long.toUnsignedString(s.value())).append(" (").append(s.when()).append(')'));
        return b.toString();
    }
}
