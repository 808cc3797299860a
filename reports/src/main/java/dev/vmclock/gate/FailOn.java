package dev.vmclock.gate;

import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.spec.Strength;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What breaks the gate ({@code --fail-on}): FAILs of MUST clauses, or of SHOULD clauses too; an ERROR always;
 * and, with {@code unexpected-pass}, an expected FAIL that now PASSes (so an expectations file cannot rot).
 */
public record FailOn(SuiteRun.Gate strength, boolean unexpectedPass) {

    public static final String VALUES = "must|should[,unexpected-pass]";

    /**
     * {@code --fail-on} as given; when it is not given, {@code must}, with {@code unexpected-pass} in CI mode
     * (the environment variable {@code CI} set to anything but {@code false}, as CI systems set it).
     */
    public static FailOn parse(List<String> values, Map<String, String> env) {
        if (values.isEmpty()) {
            String ci = env.getOrDefault("CI", "");
            return new FailOn(SuiteRun.Gate.MUST, !ci.isEmpty() && !ci.equalsIgnoreCase("false"));
        }
        SuiteRun.Gate strength = null;
        boolean unexpectedPass = false;
        for (String v : values) {
            switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "must" -> strength = strength == SuiteRun.Gate.SHOULD ? strength : SuiteRun.Gate.MUST;
                case "should" -> strength = SuiteRun.Gate.SHOULD;
                case "unexpected-pass" -> unexpectedPass = true;
                default -> throw new HarnessException(ExitCode.USAGE, "--fail-on takes " + VALUES + ", not '" + v
                        + "' (see ./vmclock-conformance --help)");
            }
        }
        return new FailOn(strength == null ? SuiteRun.Gate.MUST : strength, unexpectedPass);
    }

    /** True when a FAIL of a clause of this strength breaks the gate. */
    public boolean counts(Strength s) {
        return strength.counts(s);
    }

    /** As the command line writes it. */
    public String describe() {
        return strength.name().toLowerCase(Locale.ROOT) + (unexpectedPass ? ",unexpected-pass" : "");
    }
}
