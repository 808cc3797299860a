package dev.vmclock.conformance.vm;


import dev.vmclock.conformance.clock.ReferenceClock;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.guest.AgentTransport;
import dev.vmclock.images.GuestKernel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The implementation under test as the user names it, before anything is probed: what the command line's
 * options say, or the {@code vmclock.*} JUnit configuration parameters when the suite runs under Maven or
 * an IDE. The provider {@code vmm} names ({@link VmmProvider}) resolves it into the typed configuration, once per run.
 *
 * @param vmm         the provider of the implementation under test ({@code run --vmm}, {@code vmclock.vmm}; default
 *                    {@code qemu})
 * @param without     capabilities of the target hidden from the suite ({@code run --without}): the checks that need
 *                    them are NOT_APPLICABLE naming them, as on a hypervisor that lacks them
 * @param container   a local container image whose QEMU runs the target ({@code qemu} is then a path inside it)
 * @param vmclock     whether the machine has the VMClock device (the self-test removes it)
 * @param virtioRtc   whether the machine has a virtio-rtc device (QEMU >= 11.1); absent: when the QEMU has one and
 *                    the guest image is the built one
 *                    ({@code vmclock.virtioRtc=auto}, the default); the built guest image then
 *                    carries virtio_rtc.ko, compiled in {@code kbuildImage}
 * @param kbuildImage the Docker image virtio_rtc.ko is built in (default {@code $VMCLOCK_KBUILD_IMAGE})
 * @param clock       a reference writer publishing clock data (QEMU publishes none), good or deliberately bad
 * @param hypervisorWriter whether the target offers the hypervisor's writer ({@link Capability#HYPERVISOR_WRITER})
 *                    where it costs extra (QEMU: the qtest socket under KVM; TCG and a reference clock have it
 *                    anyway): what a decorator writing the page as the device needs
 * @param hopTo       a cross-version hop's destination QEMU ({@code vmclock.hopTo}, {@code run --hop-to}): a path to a
 *                    qemu-system-x86_64, a local container image tag, or a name {@code ./vmclock-conformance images}
 *                    lists ({@code host}, {@code bookworm-backports}, {@code trixie}, {@code trixie-backports}; built
 *                    on first need); see {@link Hop}
 * @param agentTransport how the suite reaches the guest agent ({@code run --agent-transport}, {@code vmclock.agentTransport}):
 *                    virtio-serial (default) or vsock (QEMU: vhost-user-vsock-pci with a vhost-device-vsock back end,
 *                    which QEMU cannot migrate: the target then lacks snapshots, migration and file restore)
 * @param vsockBackend the vhost-device-vsock binary for vsock ({@code --vsock-backend}, {@code vmclock.vsockBackend});
 *                    absent: Debian's, fetched and cached on first use
 * @param guestKernel which form of the built image's kernel boots ({@code run --guest-kernel}, {@code vmclock.guestKernel});
 *                    empty: the image's default (the PVH vmlinux); a bring-your-own kernel boots as given
 * @param firecracker the Firecracker binary {@code --vmm firecracker} drives ({@code run --firecracker},
 *                    {@code vmclock.firecracker})
 * @param cloudHypervisor the Cloud Hypervisor binary {@code --vmm cloud-hypervisor} drives
 *                    ({@code run --cloud-hypervisor}, {@code vmclock.cloudHypervisor})
 * @param vhostUserRtc the virtio-rtc device under test is this vhost-user back end ({@code run --vhost-user-rtc},
 *                    {@code vmclock.vhostUserRtc}): its path or command line, started with {@code --socket-path SOCKET}
 *                    beside QEMU's {@code vhost-user-rtc-pci} (QEMU >= 11.1), which QEMU cannot migrate
 */
public record TargetOptions(
        Optional<String> qemu,
        Optional<String> container,
        String machine,
        String accel,
        Optional<Path> kernel,
        Optional<Path> initrd,
        boolean vmclock,
        Optional<Boolean> virtioRtc,
        Optional<String> kbuildImage,
        Optional<Path> pageOverride,
        List<String> qemuArgs,
        Optional<ReferenceClock> clock,
        boolean hypervisorWriter,
        Optional<Path> evidenceDir,
        Optional<String> hopTo,
        String vmm,
        Set<Capability> without,
        Optional<GuestKernel> guestKernel,
        Optional<String> firecracker,
        Optional<String> cloudHypervisor,
        AgentTransport agentTransport,
        Optional<Path> vsockBackend,
        Optional<String> vhostUserRtc) {

    public static final String PREFIX = "vmclock.";
    /** The provider a run uses unless told otherwise. */
    public static final String DEFAULT_VMM = "qemu";

    public TargetOptions {
        qemuArgs = List.copyOf(qemuArgs);
        without = without.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(without));
    }

    /** Stock QEMU from PATH on q35, the accelerator probed. */
    public static TargetOptions defaults() {
        return from(k -> Optional.empty());
    }

    /** Reads the options through {@code param}, e.g. {@code ExtensionContext::getConfigurationParameter}. */
    public static TargetOptions from(Function<String, Optional<String>> param) {
        return new TargetOptions(
                param.apply(PREFIX + "qemu"),
                param.apply(PREFIX + "container").filter(s -> !s.isBlank()),
                param.apply(PREFIX + "machine").orElse("q35"),
                param.apply(PREFIX + "accel").orElse("auto"),
                param.apply(PREFIX + "kernel").map(Path::of),
                param.apply(PREFIX + "initrd").map(Path::of),
                param.apply(PREFIX + "device").map(Boolean::parseBoolean).orElse(true),
                param.apply(PREFIX + "virtioRtc").filter(v -> !v.equals("auto")).map(Boolean::parseBoolean),
                param.apply(PREFIX + "kbuildImage").filter(s -> !s.isBlank()),
                param.apply(PREFIX + "pageOverride").map(Path::of),
                param.apply(PREFIX + "qemuArgs").filter(s -> !s.isBlank()).map(s -> Arrays.asList(s.trim().split("\\s+")))
                        .orElse(List.of()),
                param.apply(PREFIX + "clock").map(ReferenceClock::parse),
                param.apply(PREFIX + "hypervisorWriter").map(Boolean::parseBoolean).orElse(false),
                param.apply(PREFIX + "evidenceDir").map(Path::of),
                param.apply(PREFIX + "hopTo").filter(s -> !s.isBlank()),
                param.apply(PREFIX + "vmm").filter(s -> !s.isBlank()).orElse(DEFAULT_VMM),
                param.apply(PREFIX + "without").map(Capability::parseList).orElse(Set.of()),
                param.apply(PREFIX + "guestKernel").filter(s -> !s.isBlank()).map(GuestKernel::parse),
                param.apply(PREFIX + "firecracker").filter(s -> !s.isBlank()),
                param.apply(PREFIX + "cloudHypervisor").filter(s -> !s.isBlank()),
                param.apply(PREFIX + "agentTransport").filter(s -> !s.isBlank()).map(TargetOptions::transport)
                        .orElse(AgentTransport.VIRTIO_SERIAL),
                param.apply(PREFIX + "vsockBackend").filter(s -> !s.isBlank()).map(Path::of),
                param.apply(PREFIX + "vhostUserRtc").filter(s -> !s.isBlank()));
    }

    private static AgentTransport transport(String name) {
        try {
            return AgentTransport.parse(name);
        } catch (IllegalArgumentException e) {
            throw new HarnessException(ExitCode.USAGE, e.getMessage());
        }
    }

    /** The same options as {@code vmclock.*} parameters: what {@link #from} reads back. */
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        qemu.ifPresent(v -> p.put(PREFIX + "qemu", v));
        container.ifPresent(v -> p.put(PREFIX + "container", v));
        p.put(PREFIX + "machine", machine);
        p.put(PREFIX + "accel", accel);
        kernel.ifPresent(v -> p.put(PREFIX + "kernel", v.toString()));
        initrd.ifPresent(v -> p.put(PREFIX + "initrd", v.toString()));
        p.put(PREFIX + "device", Boolean.toString(vmclock));
        virtioRtc.ifPresent(v -> p.put(PREFIX + "virtioRtc", v.toString()));
        kbuildImage.ifPresent(v -> p.put(PREFIX + "kbuildImage", v));
        pageOverride.ifPresent(v -> p.put(PREFIX + "pageOverride", v.toString()));
        if (!qemuArgs.isEmpty()) {
            p.put(PREFIX + "qemuArgs", String.join(" ", qemuArgs));
        }
        clock.ifPresent(v -> p.put(PREFIX + "clock", v.id()));
        if (hypervisorWriter) {
            p.put(PREFIX + "hypervisorWriter", "true");
        }
        evidenceDir.ifPresent(v -> p.put(PREFIX + "evidenceDir", v.toString()));
        hopTo.ifPresent(v -> p.put(PREFIX + "hopTo", v));
        if (!vmm.equals(DEFAULT_VMM)) {
            p.put(PREFIX + "vmm", vmm);
        }
        if (!without.isEmpty()) {
            p.put(PREFIX + "without", without.stream().map(Enum::name).collect(Collectors.joining(",")));
        }
        if (agentTransport != AgentTransport.VIRTIO_SERIAL) {
            p.put(PREFIX + "agentTransport", agentTransport.cliName());
        }
        vsockBackend.ifPresent(v -> p.put(PREFIX + "vsockBackend", v.toString()));
        vhostUserRtc.ifPresent(v -> p.put(PREFIX + "vhostUserRtc", v));
        guestKernel.ifPresent(k -> p.put(PREFIX + "guestKernel", k.cliName()));
        firecracker.ifPresent(v -> p.put(PREFIX + "firecracker", v));
        cloudHypervisor.ifPresent(v -> p.put(PREFIX + "cloudHypervisor", v));
        return p;
    }

    /** The same options with no time device asked for: what {@code doctor} probes, so it reports what is missing. */
    public TargetOptions withoutDevices() {
        return with(b -> {
            b.vmclock(false).virtioRtc(Optional.of(false));
            b.vhostUserRtc = Optional.empty();
        });
    }

    /** A copy with what {@code change} sets on a builder holding these options changed: {@code o.with(b -> b.machine("microvm"))}. */
    public TargetOptions with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The options' components, to change some of them ({@link #with}). */
    public static final class Builder {
        private Optional<String> qemu;
        private Optional<String> container;
        private String machine;
        private String accel;
        private Optional<Path> kernel;
        private Optional<Path> initrd;
        private boolean vmclock;
        private Optional<Boolean> virtioRtc;
        private Optional<String> kbuildImage;
        private Optional<Path> pageOverride;
        private List<String> qemuArgs;
        private Optional<ReferenceClock> clock;
        private boolean hypervisorWriter;
        private Optional<Path> evidenceDir;
        private Optional<String> hopTo;
        private String vmm;
        private Set<Capability> without;
        private AgentTransport agentTransport;
        private Optional<Path> vsockBackend;
        private Optional<String> vhostUserRtc;
        private Optional<GuestKernel> guestKernel;
        private Optional<String> firecracker;
        private Optional<String> cloudHypervisor;

        private Builder(TargetOptions o) {
            qemu = o.qemu;
            container = o.container;
            machine = o.machine;
            accel = o.accel;
            kernel = o.kernel;
            initrd = o.initrd;
            vmclock = o.vmclock;
            virtioRtc = o.virtioRtc;
            kbuildImage = o.kbuildImage;
            pageOverride = o.pageOverride;
            qemuArgs = o.qemuArgs;
            clock = o.clock;
            hypervisorWriter = o.hypervisorWriter;
            evidenceDir = o.evidenceDir;
            hopTo = o.hopTo;
            vmm = o.vmm;
            without = o.without;
            agentTransport = o.agentTransport;
            vsockBackend = o.vsockBackend;
            vhostUserRtc = o.vhostUserRtc;
            guestKernel = o.guestKernel;
            firecracker = o.firecracker;
            cloudHypervisor = o.cloudHypervisor;
        }

        public Builder qemu(String path) {
            qemu = Optional.of(path);
            return this;
        }

        public Builder container(String image) {
            container = Optional.of(image);
            return this;
        }

        public Builder machine(String type) {
            machine = type;
            return this;
        }

        public Builder accel(String accelerator) {
            accel = accelerator;
            return this;
        }

        /** A user's guest: kernel and initramfs go together. */
        public Builder guest(Path kernelImage, Path initramfs) {
            kernel = Optional.of(kernelImage);
            initrd = Optional.of(initramfs);
            return this;
        }

        public Builder vmclock(boolean on) {
            vmclock = on;
            return this;
        }

        /** Empty: the default ({@code auto}). */
        public Builder virtioRtc(Optional<Boolean> on) {
            virtioRtc = on;
            return this;
        }

        public Builder pageOverride(Path page) {
            pageOverride = Optional.of(page);
            return this;
        }

        public Builder qemuArgs(List<String> args) {
            qemuArgs = args;
            return this;
        }

        public Builder clock(ReferenceClock writer) {
            clock = Optional.of(writer);
            return this;
        }

        public Builder hypervisorWriter(boolean on) {
            hypervisorWriter = on;
            return this;
        }

        public Builder evidenceDir(Path dir) {
            evidenceDir = Optional.of(dir);
            return this;
        }

        public Builder hopTo(String destination) {
            hopTo = Optional.of(destination);
            return this;
        }

        public Builder vmm(String provider) {
            vmm = provider;
            return this;
        }

        public Builder without(Set<Capability> hidden) {
            without = hidden;
            return this;
        }

        /** How the suite reaches the guest agent. */
        public Builder agentTransport(AgentTransport transport) {
            agentTransport = transport;
            return this;
        }

        /** The vsock back end binary (default: Debian's vhost-device-vsock, fetched on first use). */
        public Builder vsockBackend(Path binary) {
            vsockBackend = Optional.of(binary);
            return this;
        }

        /** The virtio-rtc device is this vhost-user back end (its path or command line). */
        public Builder vhostUserRtc(String command) {
            vhostUserRtc = Optional.of(command);
            return this;
        }

        /** Boot this form of the built image's kernel. */
        public Builder guestKernel(GuestKernel form) {
            guestKernel = Optional.of(form);
            return this;
        }

        public Builder firecracker(String path) {
            firecracker = Optional.of(path);
            return this;
        }

        public Builder cloudHypervisor(String path) {
            cloudHypervisor = Optional.of(path);
            return this;
        }

        public TargetOptions build() {
            return new TargetOptions(qemu, container, machine, accel, kernel, initrd, vmclock, virtioRtc, kbuildImage,
                    pageOverride, qemuArgs, clock, hypervisorWriter, evidenceDir, hopTo, vmm, without, guestKernel,
                    firecracker, cloudHypervisor, agentTransport, vsockBackend, vhostUserRtc);
        }
    }

    /** A one-line description for reports: machine, accelerator and whatever was changed from stock. */
    public String describe() {
        StringBuilder sb = new StringBuilder("machine=" + machine + " accel=" + accel);
        container.ifPresent(c -> sb.append(" container=").append(c));
        if (!vmclock) {
            sb.append(" device=absent");
        }
        virtioRtc.ifPresent(v -> sb.append(v ? " virtio-rtc" : " virtio-rtc=absent"));
        pageOverride.ifPresent(p -> sb.append(" pageOverride=").append(p.getFileName()));
        if (!qemuArgs.isEmpty()) {
            sb.append(" qemuArgs=").append(String.join(" ", qemuArgs));
        }
        clock.ifPresent(c -> sb.append(" clock=").append(c.id()));
        if (hypervisorWriter) {
            sb.append(" hypervisorWriter");
        }
        hopTo.ifPresent(h -> sb.append(" hopTo=").append(h));
        if (agentTransport != AgentTransport.VIRTIO_SERIAL) {
            sb.append(" agent=").append(agentTransport.cliName());
        }
        guestKernel.ifPresent(k -> sb.append(" guestKernel=").append(k.cliName()));
        if (!without.isEmpty()) {
            sb.append(" without=").append(without.stream().map(Enum::name).collect(Collectors.joining(",")));
        }
        return sb.toString();
    }
}
