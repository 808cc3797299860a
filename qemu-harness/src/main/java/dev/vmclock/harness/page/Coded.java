package dev.vmclock.harness.page;

import java.util.Map;

/**
 * A one-byte code from the page whose defined values are named by the spec. Unknown values are kept
 * as they are (a conformance suite must be able to show the byte it saw), so these are records around
 * the raw value rather than Java enums.
 */
public interface Coded {

    int value();

    /** The spec's name, or {@code UNKNOWN(0x..)} for a value the spec does not define. */
    String label();

    default boolean isDefined() {
        return !label().startsWith("UNKNOWN(");
    }

    static String label(int value, Map<Integer, String> names) {
        String name = names.get(value);
        return name != null ? name : String.format("UNKNOWN(0x%02x)", value);
    }
}
