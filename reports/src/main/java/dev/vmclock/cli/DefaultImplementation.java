package dev.vmclock.cli;

import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.qemu.DebianQemuImage;
import dev.vmclock.harness.qemu.DebianSuite;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.qemu.QemuDevices;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.RtcBackend;
import java.io.PrintStream;
import java.util.Optional;
import dev.vmclock.conformance.vm.TargetOptions;

/**
 * Which QEMU runs when the user names none (no {@code --qemu}, {@code --container} or {@code $VMCLOCK_QEMU}):
 * the newest the project can provide, so that the README's first command judges both devices. That is the
 * host's QEMU when it has virtio-rtc, else Debian trixie-backports' QEMU 11.1 as an image built here (once
 * per Docker host). Without Docker it stays the host's and says what cannot be judged.
 */
final class DefaultImplementation {

    static final DebianSuite NEWEST = DebianSuite.TRIXIE_BACKPORTS;

    private DefaultImplementation() {
    }

    /** The options as given when they name a QEMU; otherwise with the chosen container image. */
    static TargetOptions choose(TargetOptions given, PrintStream out) {
        if (given.qemu().isPresent() || given.container().isPresent() || System.getenv(QemuBinary.ENV) != null) {
            return given;
        }
        Optional<QemuBinary> host;
        try {
            host = Optional.of(QemuBinary.locate(null));
        } catch (HarnessException e) {
            host = Optional.empty();
        }
        // The virtio-rtc front end the run needs: QEMU's own device, or the one for a vhost-user back end.
        String virtioRtc = given.vhostUserRtc().isPresent() ? RtcBackend.FRONT_END : QemuDevices.name(Device.VIRTIO_RTC);
        if (host.isPresent() && host.get().hasDevice(virtioRtc)) {
            return given;
        }
        String hostSays = host.map(q -> "the host's QEMU " + q.version() + " has no " + virtioRtc)
                .orElse("there is no QEMU on this host");
        if (!ImagesCommand.dockerAnswers()) {
            out.printf("vmclock-conformance: %s and Docker is not reachable, so the host's QEMU runs and the %s"
                    + " clauses are NOT_APPLICABLE (start dockerd, ./setup.sh does, for QEMU 11.1)%n", hostSays, virtioRtc);
            return given;
        }
        DebianQemuImage images = DebianQemuImage.shipped();
        if (!DebianQemuImage.isBuilt(images.tag(NEWEST))) {
            out.printf("vmclock-conformance: %s; building Debian %s's QEMU image once (a few minutes)...%n", hostSays,
                    NEWEST.suite());
        }
        String tag = images.ensureBuilt(NEWEST);
        out.printf("vmclock-conformance: %s, so Debian %s's QEMU runs, in the container image %s (--qemu PATH selects"
                + " a local one)%n", hostSays, NEWEST.suite(), tag);
        return given.with(b -> b.container(tag));
    }
}
