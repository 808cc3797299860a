package dev.vmclock.conformance.qemu;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.qemu.DebianQemuImage;
import dev.vmclock.harness.qemu.DebianSuite;
import dev.vmclock.harness.qemu.HostQemuImage;
import dev.vmclock.harness.qemu.MachineTypes;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A cross-version hop, resolved once per run: the destination QEMU (B) every event that starts a new hypervisor
 * process starts from, while the machine boots and returns on the source (A), and the versioned machine type both
 * accept (the newest of the requested family both list: {@code q35} becomes {@code pc-q35-X.Y}).
 *
 * @param spec        the destination as the user named it ({@code --hop-to}, {@code vmclock.hopTo})
 * @param destination the destination QEMU, probed (local, or in its container)
 * @param machineType the versioned machine type the machine runs on, on both sides
 */
public record Hop(String spec, QemuBinary destination, String machineType) {

    /** The image names {@code ./vmclock-conformance images} lists, as {@code --hop-to} takes them. */
    public static final String HOST_IMAGE = "host";

    /**
     * Probes {@code spec}'s QEMU and settles the machine type with {@code source}. Bad input is one line naming the
     * fix and the documented exit code: an unknown SPEC (2), no QEMU at a path (3), a destination without vmclock
     * (4), no versioned machine type in common (2); a container started for the destination is stopped again.
     */
    static Hop resolve(String spec, QemuBinary source, String requestedMachine, List<Path> ownFiles, boolean vmclock) {
        MachineTypes.family(requestedMachine).orElseGet(() -> MachineTypes.newestCommon(requestedMachine, Set.of(),
                Set.of())); // an unversioned machine type (microvm, none) is bad input before anything starts
        Optional<String> image = image(spec);
        boolean started = image.isPresent() && !QemuContainer.isShared(image.get(), ownFiles);
        QemuContainer container = null;
        try {
            if (image.isEmpty() && !Files.isExecutable(Path.of(spec))) {
                throw new HarnessException(ExitCode.QEMU_NOT_FOUND, "--hop-to " + spec + ": no executable there; " + usage());
            }
            container = image.map(i -> QemuContainer.shared(i, ownFiles)).orElse(null);
            QemuBinary destination = container != null ? locateIn(spec, container) : QemuBinary.locate(spec);
            if (vmclock && !destination.hasDevice("vmclock")) {
                throw new HarnessException(ExitCode.QEMU_WITHOUT_VMCLOCK, "the hop's destination " + destination
                        + " has no vmclock device: --hop-to a QEMU >= 10.0");
            }
            return new Hop(spec, destination, MachineTypes.newestCommon(requestedMachine, source.machines(),
                    destination.machines()));
        } catch (HarnessException e) {
            if (started && container != null) {
                container.close();
            }
            throw e;
        }
    }

    /** The image's qemu-system-x86_64 on its PATH. */
    private static QemuBinary locateIn(String spec, QemuContainer container) {
        try {
            return QemuBinary.locate(container, null);
        } catch (HarnessException e) {
            if (e.exitCode() != ExitCode.QEMU_NOT_FOUND) {
                throw e;
            }
            throw new HarnessException(e.exitCode(), "--hop-to " + spec + ": the image has no qemu-system-x86_64 on its"
                    + " PATH; " + usage(), e);
        }
    }

    /**
     * The container image {@code spec} names, built now if it is one of the project's and missing; empty for a
     * path. A name that is neither a path, a listed name nor an image on the Docker host is a usage error.
     */
    private static Optional<String> image(String spec) {
        if (spec.startsWith("/") || spec.startsWith(".") || Files.exists(Path.of(spec))) {
            return Optional.empty(); // a path to a qemu-system-x86_64
        }
        if (spec.equals(HOST_IMAGE)) {
            return Optional.of(HostQemuImage.ensureBuilt(QemuBinary.locate(null)));
        }
        Optional<DebianSuite> suite = Arrays.stream(DebianSuite.values()).filter(s -> s.suite().equals(spec)).findFirst();
        if (suite.isPresent()) {
            return Optional.of(DebianQemuImage.shipped().ensureBuilt(suite.get()));
        }
        if (!DebianQemuImage.isBuilt(spec)) {
            throw new HarnessException(ExitCode.USAGE, "unknown --hop-to '" + spec + "' (no such file, listed name or"
                    + " image on the Docker host): " + usage());
        }
        return Optional.of(spec);
    }

    private static String usage() {
        return "give a path to a qemu-system-x86_64, a local container image tag, or one of "
                + Stream.concat(Stream.of(HOST_IMAGE), Arrays.stream(DebianSuite.values()).map(DebianSuite::suite))
                        .collect(Collectors.joining(", ")) + " (./vmclock-conformance images lists them)";
    }

    /** True when a name is one the project builds on first need (the caller may say it is building). */
    public static boolean needsBuild(String spec) {
        return Arrays.stream(DebianSuite.values()).anyMatch(s -> s.suite().equals(spec))
                && !DebianQemuImage.isBuilt(DebianQemuImage.shipped().tag(DebianSuite.parse(spec)));
    }

    /** Where the destination runs, for one line: {@code local} or its container image. */
    public String where() {
        return destination.host().isLocal() ? "local" : destination.host() instanceof QemuContainer c ? c.image()
                : destination.host().describe();
    }

    /** "QEMU 11.1.3 (in container image ...)": the destination, for the run's first line and the report. */
    public String describe() {
        return "cross-version hop to " + destination + " on machine " + machineType;
    }
}
