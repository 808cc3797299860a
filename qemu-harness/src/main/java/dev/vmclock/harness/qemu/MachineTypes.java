package dev.vmclock.harness.qemu;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Versioned machine types ({@code pc-q35-10.0}, {@code pc-i440fx-11.1}): what two QEMU versions must agree on
 * for a migration stream of one to load in the other. The aliases {@code q35} and {@code pc} name the newest
 * version of their family in each binary, so a cross-version hop runs on the newest versioned type both know.
 */
public final class MachineTypes {

    private static final Pattern VERSIONED = Pattern.compile("^(pc-q35|pc-i440fx)-(\\d+)\\.(\\d+)$");

    private MachineTypes() {
    }

    /** The versioned family of a machine name: {@code q35} and {@code pc-q35-X.Y} are {@code pc-q35}; {@code pc} is {@code pc-i440fx}. */
    public static Optional<String> family(String machine) {
        if (machine.equals("q35")) {
            return Optional.of("pc-q35");
        }
        if (machine.equals("pc")) {
            return Optional.of("pc-i440fx");
        }
        Matcher m = VERSIONED.matcher(machine);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * The machine type a hop between a QEMU knowing {@code source} and one knowing {@code destination} runs
     * on: {@code requested} itself when it is versioned and both know it, else the newest version of its
     * family both know. Bad input (an unversioned family such as microvm, nothing in common) is a one-line
     * usage error naming the fix.
     */
    public static String newestCommon(String requested, Set<String> source, Set<String> destination) {
        String family = family(requested).orElseThrow(() -> new HarnessException(ExitCode.USAGE, "machine type '"
                + requested + "' has no versioned types, so no migration stream is promised to load across QEMU"
                + " versions: hop with --machine q35 or pc (or a pc-q35-X.Y both QEMUs list)"));
        if (VERSIONED.matcher(requested).matches()) {
            if (!source.contains(requested) || !destination.contains(requested)) {
                throw new HarnessException(ExitCode.USAGE, "machine type " + requested + " is not known to "
                        + (source.contains(requested) ? "the destination" : "the source") + " QEMU: pick one both list"
                        + " with -machine help, or --machine " + (family.equals("pc-q35") ? "q35" : "pc")
                        + " for the newest they share");
            }
            return requested;
        }
        return newest(family, source.stream().filter(destination::contains).toList()).orElseThrow(
                () -> new HarnessException(ExitCode.USAGE, "the source and destination QEMU share no " + family
                        + "-X.Y machine type (source newest " + newest(family, source).orElse("none") + ", destination newest "
                        + newest(family, destination).orElse("none") + "): choose QEMUs whose versions overlap"));
    }

    /** The newest {@code family-X.Y} in {@code names}, compared as numbers (10.0 after 9.2). */
    static Optional<String> newest(String family, Collection<String> names) {
        return names.stream().map(VERSIONED::matcher).filter(Matcher::matches).filter(m -> m.group(1).equals(family))
                .max(Comparator.<Matcher>comparingInt(m -> Integer.parseInt(m.group(2)))
                        .thenComparingInt(m -> Integer.parseInt(m.group(3))))
                .map(m -> m.group(0));
    }
}
