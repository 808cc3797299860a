package dev.vmclock.harness.qemu;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The Debian suites whose QEMU the project builds as container images (all have the vmclock device). */
public enum DebianSuite {
    /** QEMU 10.0.x, on bookworm's libraries. */
    BOOKWORM_BACKPORTS("bookworm-backports", "bookworm"),
    /** QEMU 10.0.x. */
    TRIXIE("trixie", "trixie"),
    /** QEMU 11.1.x: the first with {@code virtio-rtc-pci}; needs trixie's libraries. */
    TRIXIE_BACKPORTS("trixie-backports", "trixie");

    private final String suite;
    private final String codename;

    DebianSuite(String suite, String codename) {
        this.suite = suite;
        this.codename = codename;
    }

    /** The apt suite name, e.g. {@code trixie-backports}. */
    public String suite() {
        return suite;
    }

    /** The release the base image is bootstrapped from. */
    public String codename() {
        return codename;
    }

    /** By suite name ({@code trixie-backports}) or constant name ({@code TRIXIE_BACKPORTS}). */
    public static DebianSuite parse(String name) {
        for (DebianSuite s : values()) {
            if (s.suite.equals(name) || s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new HarnessException(ExitCode.USAGE, "unknown Debian suite '" + name + "'; known: "
                + Arrays.stream(values()).map(DebianSuite::suite).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return suite;
    }
}
