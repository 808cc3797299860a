package dev.vmclock.report;

import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The specifications a report's clauses come from, told by the prefix of their ids ({@code VMC-SEQ-03}:
 * VMClock, {@code VRTC-...}: virtio-rtc). Nothing else in the reports depends on a prefix; one not listed
 * here is named by the prefix itself.
 */
public final class Specs {

    /** The spec whose evidence pages are VMClock pages (decoded field by field in the HTML). */
    public static final String VMCLOCK = "VMC";

    private static final Map<String, String> NAMES = Map.of(VMCLOCK, "VMClock", "VRTC", "virtio-rtc");

    private Specs() {
    }

    /** {@code VMC-SEQ-03} → {@code VMC}. */
    public static String prefix(String clauseId) {
        int dash = clauseId.indexOf('-');
        return dash < 0 ? clauseId : clauseId.substring(0, dash);
    }

    /** The specs of these clauses, in order of first appearance: "VMClock", "VMClock and virtio-rtc". */
    public static String names(Collection<String> clauseIds) {
        String names = clauseIds.stream().map(Specs::prefix).distinct().map(p -> NAMES.getOrDefault(p, p))
                .collect(Collectors.joining(" and "));
        return names.isEmpty() ? "Clock device" : names;
    }
}
