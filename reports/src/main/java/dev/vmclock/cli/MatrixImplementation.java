package dev.vmclock.cli;

import dev.vmclock.harness.qemu.BuildTreeQemuImage;
import dev.vmclock.harness.qemu.DebianQemuImage;
import dev.vmclock.harness.qemu.DebianSuite;
import dev.vmclock.harness.qemu.HostQemuImage;
import dev.vmclock.harness.qemu.QemuBinary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One implementation of a matrix, as the matrix file or {@code --impl} names it, and what {@code run} is given
 * for it. The forms, tried in this order: {@code build-dir:DIR} (or a directory holding qemu-system-x86_64) is a
 * QEMU build tree made into an image; a Debian suite name ({@code trixie-backports}) its image, built on first
 * need; {@code host} the image of this machine's QEMU (as {@code images} names them); {@code vhost-user-rtc:COMMAND}
 * the virtio-rtc back end COMMAND behind Debian trixie-backports' QEMU 11.1 ({@code run --vhost-user-rtc}); a path (with
 * a {@code /} and no {@code :}) a local QEMU binary; anything else a local Docker image tag.
 */
record MatrixImplementation(String name, String spec) {

    static final String BUILD_DIR_PREFIX = "build-dir:";
    static final String VHOST_USER_RTC_PREFIX = "vhost-user-rtc:";

    /**
     * How {@code run} selects it: {@code --qemu PATH} or {@code --container TAG}, and for a virtio-rtc back end
     * {@code --vhost-user-rtc COMMAND} too; images are built now.
     */
    record Resolved(String option, String value, List<String> more) {
        Resolved(String option, String value) {
            this(option, value, List.of());
        }

        List<String> runArgs() {
            return java.util.stream.Stream.concat(List.of(option, value).stream(), more.stream()).toList();
        }

        /** The destination of a hop in the form {@code run --hop-to} takes: the path or the image tag. */
        String hopTarget() {
            if (!more.isEmpty()) {
                throw new dev.vmclock.harness.HarnessException(dev.vmclock.harness.ExitCode.USAGE, "a hop cannot go to"
                        + " a vhost-user virtio-rtc back end: QEMU cannot migrate vhost-user-rtc-pci");
            }
            return value;
        }
    }

    /** Builds what must be built (images); throws the one-line HarnessException a failure gives. */
    Resolved resolve() {
        if (spec.startsWith(VHOST_USER_RTC_PREFIX)) {
            String command = spec.substring(VHOST_USER_RTC_PREFIX.length());
            return new Resolved("--container", DebianQemuImage.shipped().ensureBuilt(DebianSuite.TRIXIE_BACKPORTS),
                    List.of("--vhost-user-rtc", command));
        }
        if (spec.startsWith(BUILD_DIR_PREFIX) || isBuildTree(spec)) {
            String dir = spec.startsWith(BUILD_DIR_PREFIX) ? spec.substring(BUILD_DIR_PREFIX.length()) : spec;
            return new Resolved("--container", BuildTreeQemuImage.of(Path.of(dir)).ensureBuilt());
        }
        if (Arrays.stream(DebianSuite.values()).anyMatch(s -> s.suite().equals(spec))) {
            return new Resolved("--container", DebianQemuImage.shipped().ensureBuilt(DebianSuite.parse(spec)));
        }
        if (spec.equals(ImagesCommand.HOST)) {
            return new Resolved("--container", HostQemuImage.ensureBuilt(QemuBinary.locate(null)));
        }
        if (spec.contains("/") && !spec.contains(":")) {
            return new Resolved("--qemu", Path.of(spec).toAbsolutePath().toString());
        }
        return new Resolved("--container", spec);
    }

    private static boolean isBuildTree(String spec) {
        return spec.contains("/") && Files.isDirectory(Path.of(spec));
    }
}
