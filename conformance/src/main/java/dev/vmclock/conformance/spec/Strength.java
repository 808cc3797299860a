package dev.vmclock.conformance.spec;

/** How binding a clause is, in the words of its source (RFC 2119 vocabulary). */
public enum Strength {
    MUST,
    MUST_NOT,
    SHOULD,
    SHOULD_NOT,
    MAY;

    public static Strength parse(String s) {
        return valueOf(s.trim().replace(' ', '_'));
    }

    /** MUST and MUST NOT: what the default gate ({@code --fail-on must}) enforces. */
    public boolean isMandatory() {
        return this == MUST || this == MUST_NOT;
    }

    public boolean isRecommendation() {
        return this == SHOULD || this == SHOULD_NOT;
    }

    public String label() {
        return name().replace('_', ' ');
    }
}
