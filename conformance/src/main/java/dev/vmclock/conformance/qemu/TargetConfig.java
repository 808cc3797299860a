package dev.vmclock.conformance.qemu;

import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.Implementation;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.qemu.DebianQemuImage;
import dev.vmclock.harness.qemu.ImageVersions;
import java.util.Map;
import dev.vmclock.conformance.junit.TargetExtension;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.qemu.Accelerator;
import dev.vmclock.harness.qemu.AcceleratorChoice;
import dev.vmclock.harness.qemu.AcceleratorProbe;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.qemu.QemuDevices;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuContainer;
import dev.vmclock.harness.qemu.QemuHost;
import dev.vmclock.harness.qemu.RtcBackend;
import dev.vmclock.harness.qemu.VsockBackend;
import dev.vmclock.harness.guest.AgentTransport;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import dev.vmclock.images.GuestKernel;
import dev.vmclock.images.VirtioRtcModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The implementation under test, resolved once per run: the QEMU found and probed, the guest image built,
 * the accelerator chosen by booting that image's kernel, the devices the machine gets. The command line
 * builds it, the JUnit Launcher session carries it ({@link TargetExtension}), the suite reads it.
 */
public record TargetConfig(
        TargetOptions options,
        QemuBinary qemu,
        Optional<GuestImage> image,
        AcceleratorChoice accelerator,
        List<Device> devices,
        Path evidenceDir,
        Optional<Hop> hop,
        Optional<Path> vsockBackend,
        Optional<RtcBackend.CommandLine> rtcBackend) implements ResolvedTarget {

    public TargetConfig {
        devices = List.copyOf(devices);
    }

    /** How much of the guest a command needs: a run boots it; {@code doctor} and the host's {@code page} boot none. */
    public enum GuestNeed {
        /** The guest image, built now when it is not cached (a run's first use). */
        BOOT,
        /** No image is built: the user's or a cached one if there is, only for the accelerator probe. */
        NONE
    }

    /**
     * Finds QEMU (local or in a container), builds the guest image if it is not cached, then probes the
     * accelerator with that image's kernel (so a first run on a KVM host gets KVM).
     */
    public static TargetConfig resolve(TargetOptions o) {
        return resolve(o, GuestNeed.BOOT);
    }

    /**
     * As {@link #resolve(TargetOptions)}; with {@link GuestNeed#NONE} no image is built and no evidence directory
     * made: the accelerator is probed with the user's kernel or a cached image's, else chosen without a boot.
     */
    public static TargetConfig resolve(TargetOptions o, GuestNeed need) {
        if (o.kernel().isPresent() != o.initrd().isPresent()) {
            throw new HarnessException(ExitCode.USAGE, "a guest kernel and initramfs go together (--kernel with --initrd)");
        }
        if (o.guestKernel().isPresent() && o.kernel().isPresent()) {
            throw new HarnessException(ExitCode.USAGE, "--guest-kernel chooses between the built image's bzImage and"
                    + " vmlinux; a --kernel of your own boots as given: leave one of them out");
        }
        List<Path> ownFiles = new ArrayList<>();
        o.kernel().ifPresent(ownFiles::add);
        o.initrd().ifPresent(ownFiles::add);
        o.pageOverride().ifPresent(ownFiles::add);
        QemuHost host = o.container().<QemuHost>map(image -> QemuContainer.shared(image, ownFiles)).orElse(QemuHost.LOCAL);
        QemuBinary qemu = QemuBinary.locate(host, o.qemu().orElse(null));
        if (o.vmclock()) {
            qemu.requireVmclock();
        }
        // A hop: the destination resolved once, on the newest versioned machine type both QEMUs know.
        boolean vsock = o.agentTransport() == AgentTransport.VSOCK;
        if (vsock && o.hopTo().isPresent()) {
            throw new HarnessException(ExitCode.USAGE, "--agent-transport vsock and --hop-to do not go together: QEMU cannot"
                    + " migrate a machine with vhost-user-vsock, and every hop is a migration");
        }
        if (vsock && !qemu.hasDevice("vhost-user-vsock-pci")) {
            throw new HarnessException(ExitCode.QEMU_WITHOUT_VMCLOCK, qemu + " has no vhost-user-vsock-pci device;"
                    + " use another QEMU or --agent-transport virtio-serial");
        }
        Optional<RtcBackend.CommandLine> rtcBackend = o.vhostUserRtc().map(c -> rtcBackend(o, qemu, c));
        Optional<Hop> hop = o.hopTo().map(spec -> Hop.resolve(spec, qemu, o.machine(), ownFiles, o.vmclock()));
        if (hop.isEmpty()) {
            qemu.requireMachine(o.machine());
        }
        String rtcName = QemuDevices.name(Device.VIRTIO_RTC, o.machine());
        // Across a hop the device is judged only where both sides have it: state of a device the destination
        // lacks cannot load there.
        boolean hasRtc = rtcBackend.isPresent()
                || qemu.hasDevice(rtcName) && hop.map(h -> h.destination().hasDevice(rtcName)).orElse(true);
        // Not asked for either way: the machine gets virtio-rtc when this QEMU has it, so both devices are judged;
        // but not for a user's own guest, whose kernel may lack the driver (that would be a boot error, exit 7):
        // vmclock.virtioRtc=true asks for it there.
        boolean virtioRtc = o.virtioRtc().orElse(hasRtc && o.kernel().isEmpty());
        if (virtioRtc && !hasRtc && qemu.hasDevice(rtcName)) {
            throw new HarnessException(ExitCode.QEMU_WITHOUT_VMCLOCK, "the hop's destination " + hop.get().destination()
                    + " has no " + rtcName + " device: hop to a QEMU >= 11.1 or leave virtio-rtc out");
        }
        if (virtioRtc && !hasRtc) {
            throw new HarnessException(ExitCode.QEMU_WITHOUT_VMCLOCK, qemu + " has no " + QemuDevices.name(Device.VIRTIO_RTC, o.machine())
                    + " device (QEMU >= 11.1 has it); use another QEMU or leave virtio-rtc out");
        }
        // A user's image is taken as it is (its kernel may have the driver built in); the built one carries
        // virtio_rtc.ko when the machine has the device.
        GuestImageBuilder builder = imageBuilder(o, virtioRtc);
        Optional<GuestImage> image = o.kernel().isPresent() ? Optional.of(GuestImage.of(o.kernel().get(), o.initrd().get()))
                : need == GuestNeed.BOOT ? Optional.of(builder.ensureBuilt())
                // any cached image has the kernel the probe boots, with or without virtio_rtc.ko
                : builder.cached().or(() -> new GuestImageBuilder().cached());
        // The probe below boots the same file the run will: the accelerator is chosen for that kernel form.
        // microvm boots the bzImage unless told otherwise: through the PVH entry the kernel sees no FADT there
        // ("ACPI: Unable to enable ACPI"), so no virtio-mmio device, and with two vCPUs it hangs bringing up the
        // second (measured on QEMU 10.0 under TCG; the bzImage booted every time).
        Optional<GuestKernel> form = o.guestKernel().or(() -> o.machine().startsWith("microvm")
                ? Optional.of(GuestKernel.BZIMAGE) : Optional.empty());
        image = image.map(i -> form.map(i::booting).orElse(i));
        Optional<Accelerator> forced;
        try {
            forced = o.accel().equals("auto") ? Optional.empty() : Optional.of(Accelerator.parse(o.accel()));
        } catch (IllegalArgumentException e) {
            throw new HarnessException(ExitCode.USAGE, "the accelerator must be auto, kvm or tcg, not " + o.accel());
        }
        AcceleratorChoice accel = AcceleratorProbe.choose(qemu, forced, image.map(GuestImage::kernel));
        List<Device> devices = new ArrayList<>();
        if (o.vmclock()) {
            devices.add(Device.VMCLOCK);
        }
        if (virtioRtc) {
            devices.add(Device.VIRTIO_RTC);
        }
        // Nothing writes evidence when nothing boots: the temporary directory itself stands in, none is made.
        Path evidence = o.evidenceDir().orElseGet(() -> need == GuestNeed.NONE
                ? Path.of(System.getProperty("java.io.tmpdir")) : newEvidenceDir());
        // The back end is found (or fetched) once, when a guest will boot over vsock.
        Optional<Path> backend = vsock && need == GuestNeed.BOOT ? Optional.of(VsockBackend.locate(o.vsockBackend()))
                : Optional.empty();
        backend.ifPresent(VsockBackend::version); // a binary that does not run is bad input now, not ERRORs later
        return new TargetConfig(o, qemu, image, accel, devices, evidence, hop, backend, rtcBackend);
    }

    /** The virtio-rtc back end of {@code --vhost-user-rtc}, checked before anything starts (exit 9 or 2, one line). */
    private static RtcBackend.CommandLine rtcBackend(TargetOptions o, QemuBinary qemu, String text) {
        if (o.virtioRtc().equals(Optional.of(false))) {
            throw new HarnessException(ExitCode.USAGE, "--vhost-user-rtc names the virtio-rtc device under test, but"
                    + " virtio-rtc is turned off (vmclock.virtioRtc=false): leave one of them out");
        }
        if (o.hopTo().isPresent()) {
            throw new HarnessException(ExitCode.USAGE, "--vhost-user-rtc and --hop-to do not go together: QEMU cannot"
                    + " migrate a machine with " + RtcBackend.FRONT_END + ", and every hop is a migration");
        }
        if (!o.machine().startsWith("q35") && !o.machine().startsWith("pc")) {
            throw new HarnessException(ExitCode.USAGE, "--vhost-user-rtc needs a PCI machine (q35 or pc), not " + o.machine());
        }
        if (!qemu.hasDevice(RtcBackend.FRONT_END)) {
            throw new HarnessException(ExitCode.RTC_BACKEND, qemu + " has no " + RtcBackend.FRONT_END + " (QEMU >= 11.1"
                    + " has it: the default image); use such a QEMU for --vhost-user-rtc");
        }
        RtcBackend.CommandLine command = RtcBackend.CommandLine.parse(text);
        RtcBackend.version(command); // a back end that does not run is bad input now, not ERRORs later
        RtcBackend.probe(command);
        return command;
    }

    /**
     * Where a run given no evidence directory makes its own: {@code -Dvmclock.evidenceRoot} (the project's
     * tests set their module's {@code target/evidence}, so the fault tier's hundreds of runs leave nothing
     * in /tmp and a failing run's evidence is beside its report), else the temporary directory.
     */
    public static final String EVIDENCE_ROOT = "vmclock.evidenceRoot";

    /** A new evidence directory under {@link #EVIDENCE_ROOT}, for a run given none. */
    public static Path newEvidenceDir() {
        try {
            String root = System.getProperty(EVIDENCE_ROOT, "");
            if (root.isBlank()) {
                return Files.createTempDirectory("vmclock-evidence-");
            }
            return Files.createTempDirectory(Files.createDirectories(Path.of(root)), "vmclock-evidence-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The guest image a run boots (resolved with {@link GuestNeed#BOOT}, or the user's own). */
    public GuestImage guestImage() {
        return image.orElseThrow(() -> new IllegalStateException("the target was resolved without a guest image"));
    }

    private static GuestImageBuilder imageBuilder(TargetOptions o, boolean virtioRtc) {
        GuestImageBuilder b = new GuestImageBuilder();
        if (virtioRtc) {
            b = b.withVirtioRtc(VirtioRtcModule.STOCK);
            if (o.kbuildImage().isPresent()) {
                b = b.kbuildImage(o.kbuildImage().get());
            }
        }
        return b;
    }

    /** The machine type the target runs: as asked, or across a hop the versioned type both QEMUs accept. */
    public String machine() {
        return hop.map(Hop::machineType).orElse(options.machine());
    }

    @Override
    public VmTarget open() {
        return new QemuTarget(this);
    }

    /** QEMU as every output names it: version, binary, where it runs (an image's package versions as details). */
    @Override
    public Implementation implementation() {
        return new Implementation(QemuProvider.NAME, qemu.version().toString(), qemu.path().toString(), where(qemu),
                machine(), accelerator.accelerator().qemuName(), accelerator.reason(), details(),
                hop.map(h -> new Implementation.Hop(h.destination().version().toString(),
                        h.destination().path().toString(), where(h.destination()), packages(h.destination()),
                        h.machineType())));
    }

    private static String where(QemuBinary q) {
        return q.host() instanceof QemuContainer c ? c.image() : "local";
    }

    private static Map<String, String> packages(QemuBinary q) {
        return q.host() instanceof QemuContainer c
                ? DebianQemuImage.versions(c.image()).map(ImageVersions::packages).orElse(Map.of()) : Map.of();
    }

    /** The image's packages and, over vsock, the transport and its back end (the cached package, or the user's path). */
    private Map<String, String> details() {
        Map<String, String> d = new java.util.TreeMap<>(packages(qemu));
        vsockBackend.ifPresent(b -> {
            d.put("agent_transport", AgentTransport.VSOCK.cliName());
            d.put("vsock_backend", VsockBackend.version(b) + " (" + (options.vsockBackend().isPresent() ? b.toString()
                    : VsockBackend.fetchedPackage().map(p -> "Debian " + p).orElse(b.toString())) + ")");
        });
        rtcBackend.ifPresent(c -> d.put("virtio_rtc_backend", RtcBackend.version(c) + " (" + c + ", over "
                + RtcBackend.FRONT_END + ")"));
        return d;
    }

    @Override
    public String describe() {
        return qemu + " " + options.describe() + " accel=" + accelerator + hop.map(h -> ", " + h.describe()).orElse("");
    }
}
