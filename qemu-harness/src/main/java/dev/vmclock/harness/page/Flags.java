package dev.vmclock.harness.page;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** The {@code flags} word: the defined bits as a set, and whatever else was set, kept as raw bits. */
public record Flags(long raw) {

    private static final long KNOWN_MASK;

    static {
        long mask = 0;
        for (Flag f : Flag.values()) {
            mask |= f.mask();
        }
        KNOWN_MASK = mask;
    }

    public static Flags of(Flag... flags) {
        long raw = 0;
        for (Flag f : flags) {
            raw |= f.mask();
        }
        return new Flags(raw);
    }

    public boolean has(Flag flag) {
        return (raw & flag.mask()) != 0;
    }

    public Set<Flag> known() {
        EnumSet<Flag> set = EnumSet.noneOf(Flag.class);
        for (Flag f : Flag.values()) {
            if (has(f)) {
                set.add(f);
            }
        }
        return Collections.unmodifiableSet(set);
    }

    /** Bits the spec does not define; a guest must ignore them, the suite reports them. */
    public long unknownBits() {
        return raw & ~KNOWN_MASK;
    }

    @Override
    public String toString() {
        String s = known().toString();
        return unknownBits() == 0 ? s : s + String.format("+unknown(0x%x)", unknownBits());
    }
}
