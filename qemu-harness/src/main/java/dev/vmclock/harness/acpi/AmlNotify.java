package dev.vmclock.harness.acpi;

import java.util.OptionalLong;

/**
 * A {@code Notify(target, value)} in a DSDT or SSDT: where it is, the target's name as written, and the
 * notification value when it is a constant (empty when it is computed at run time, e.g. {@code Arg0}).
 */
public record AmlNotify(String table, int offset, String target, OptionalLong value) {

    /** The target's last name segment, e.g. {@code VCLK} for {@code \_SB.VCLK}. */
    public String targetSegment() {
        int dot = target.lastIndexOf('.');
        String s = dot < 0 ? target : target.substring(dot + 1);
        return s.replace("\\", "").replace("^", "");
    }

    @Override
    public String toString() {
        return "Notify(" + target + ", " + (value.isPresent() ? String.format("0x%x", value.getAsLong()) : "<computed>")
                + ") in " + table + " at offset 0x" + Integer.toHexString(offset);
    }
}
