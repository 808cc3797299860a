package dev.vmclock.cli;

import dev.vmclock.conformance.target.TargetOptions;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.qemu.Accelerator;
import dev.vmclock.harness.qemu.AcceleratorChoice;
import dev.vmclock.harness.qemu.AcceleratorProbe;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuContainer;
import dev.vmclock.harness.qemu.QemuHost;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The implementation under test, as chosen on the command line: which QEMU, machine and accelerator. */
record Target(QemuBinary qemu, String machineType, AcceleratorChoice accelerator, Optional<GuestImage> ownImage) {

    /**
     * The target the options describe. The KVM probe boots the user's kernel, else the cached guest
     * kernel; it never triggers an image build.
     */
    static Target from(TargetOptions o) {
        String machine = o.machine();
        Optional<Accelerator> forced = Optional.of(o.accel()).filter(a -> !a.equals("auto")).map(a -> {
            try {
                return Accelerator.parse(a);
            } catch (IllegalArgumentException e) {
                throw Main.usage("--accel must be auto, kvm or tcg, not " + a);
            }
        });
        if (o.kernel().isPresent() != o.initrd().isPresent()) {
            throw Main.usage("--kernel and --initrd go together");
        }
        Optional<GuestImage> own = o.kernel().map(k -> GuestImage.of(k, o.initrd().get()));
        List<Path> ownFiles = own.map(i -> List.of(i.kernel(), i.initramfs())).orElse(List.of());
        QemuHost host = o.container().<QemuHost>map(image -> QemuContainer.shared(image, ownFiles)).orElse(QemuHost.LOCAL);
        QemuBinary qemu = QemuBinary.locate(host, o.qemu().orElse(null));
        Optional<Path> probeKernel = own.or(() -> new GuestImageBuilder().cached()).map(GuestImage::kernel);
        return new Target(qemu, machine, AcceleratorProbe.choose(qemu, forced, probeKernel), own);
    }

    /** The container image the QEMU runs in, if it is a container target. */
    Optional<String> container() {
        return qemu.host() instanceof QemuContainer c ? Optional.of(c.image()) : Optional.empty();
    }

    /** A QEMU without the device is exit 4 before anything else is judged; then the machine type must exist. */
    Target requireVmclock() {
        qemu.requireVmclock().requireMachine(machineType);
        return this;
    }

    /** The user's kernel and initramfs, else the built image (built now if not cached: the first run). */
    GuestImage guestImage() {
        return ownImage.orElseGet(() -> new GuestImageBuilder().ensureBuilt());
    }

    MachineSpec.Builder spec() {
        return MachineSpec.builder().machineType(machineType).accelerator(accelerator.accelerator());
    }

    static HarnessException notWritable(Path dir, Exception e) {
        return new HarnessException(ExitCode.OUTPUT_NOT_WRITABLE, "cannot write to " + dir + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                + "): choose a writable directory with --out", e);
    }
}
