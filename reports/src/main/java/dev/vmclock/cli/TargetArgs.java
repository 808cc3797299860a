package dev.vmclock.cli;

import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.harness.guest.AgentTransport;
import dev.vmclock.harness.qemu.Accelerator;
import dev.vmclock.images.GuestKernel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Option;

/** The options that choose the implementation under test, shared by run, page and doctor. */
final class TargetArgs {

    @Option(names = "--vmm", paramLabel = "NAME", defaultValue = TargetOptions.DEFAULT_VMM, description = "the"
            + " hypervisor under test: a provider './vmclock-conformance doctor' lists (default: ${DEFAULT-VALUE})")
    String vmm;

    @Option(names = "--qemu", paramLabel = "PATH", description = "QEMU system emulator (default: $VMCLOCK_QEMU, else"
            + " qemu-system-x86_64 on PATH; with --container a path inside the image)")
    String qemu;

    @Option(names = "--firecracker", paramLabel = "PATH", description = "the Firecracker binary --vmm firecracker"
            + " drives (>= 1.15.0: VMClock; needs KVM that boots Linux)")
    String firecracker;

    @Option(names = "--cloud-hypervisor", paramLabel = "PATH", description = "the Cloud Hypervisor binary --vmm"
            + " cloud-hypervisor drives (>= v53.0: virtio-rtc; needs KVM that boots Linux)")
    String cloudHypervisor;

    @Option(names = "--container", paramLabel = "IMAGE", description = "run QEMU inside a container of this local"
            + " Docker image (nothing is pulled)")
    String container;

    @Option(names = "--machine", paramLabel = "TYPE", defaultValue = "q35",
            description = "q35 (default), pc, microvm, none")
    String machine;

    @Option(names = "--accel", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (default: KVM only if a Linux guest really boots under it), kvm, tcg")
    String accel;

    @Option(names = "--kernel", paramLabel = "FILE", description = "bring your own guest kernel, with --initrd"
            + " (default: the image guest-images builds and caches on first use)")
    Path kernel;

    @Option(names = "--initrd", paramLabel = "FILE", description = "the initramfs that goes with --kernel")
    Path initrd;

    @Option(names = "--guest-kernel", paramLabel = "FORM", description = "vmlinux (default: the PVH ELF, as"
            + " Firecracker and Cloud Hypervisor boot it; microvm: bzimage) or bzimage: which form of the built"
            + " image's kernel boots")
    String guestKernel;

    @Option(names = "--without", paramLabel = "CAP", split = ",", description = "hide capabilities of the target (e.g."
            + " LIVE_MIGRATION,SNAPSHOT,HOST_MEMORY: Firecracker's shape); the checks that need them are NOT_APPLICABLE")
    List<String> without;

    @Option(names = "--agent-transport", paramLabel = "T", defaultValue = "virtio-serial", description = "how the suite"
            + " reaches the guest agent: virtio-serial (default) or vsock (QEMU's vhost-user-vsock with rust-vmm's"
            + " vhost-device-vsock, the hybrid vsock of Firecracker and Cloud Hypervisor; QEMU cannot save or migrate such"
            + " a machine, so those checks are NOT_APPLICABLE)")
    String agentTransport;

    @Option(names = "--vsock-backend", paramLabel = "PATH", description = "the vhost-device-vsock binary for"
            + " --agent-transport vsock (default: Debian's, fetched from the machine's apt mirror and cached on first use)")
    Path vsockBackend;

    @Option(names = "--vhost-user-rtc", paramLabel = "COMMAND", description = "judge this vhost-user virtio-rtc back end"
            + " instead of QEMU's own virtio-rtc-pci: its path or command line (split at spaces), started with"
            + " --socket-path SOCKET beside QEMU's vhost-user-rtc-pci (QEMU >= 11.1: the default image); QEMU cannot save"
            + " or migrate such a machine, so those checks are NOT_APPLICABLE. The project's reference device:"
            + " conformance/reference-rtc/vmclock-reference-rtc")
    String vhostUserRtc;

    /**
     * The options as given, typed, nothing resolved or probed (the provider does that); what the command line has no
     * option for stays stock. Bad input found before anything is probed is a usage error in the command line's words.
     */
    TargetOptions options() {
        if ((kernel == null) != (initrd == null)) {
            throw Main.usage("--kernel and --initrd go together");
        }
        if (!accel.equals("auto")) {
            try {
                Accelerator.parse(accel);
            } catch (IllegalArgumentException e) {
                throw Main.usage("--accel must be auto, kvm or tcg, not " + accel);
            }
        }
        if (guestKernel != null && kernel != null) {
            throw Main.usage("--guest-kernel chooses a form of the built image's kernel; --kernel boots as given");
        }
        Optional<GuestKernel> form;
        try {
            form = Optional.ofNullable(guestKernel).map(GuestKernel::parse);
        } catch (IllegalArgumentException e) {
            throw Main.usage("--guest-kernel must be vmlinux or bzimage, not " + guestKernel);
        }
        Set<Capability> hidden = without == null ? Set.of() : Capability.parseList(String.join(",", without));
        AgentTransport transport;
        try {
            transport = AgentTransport.parse(agentTransport);
        } catch (IllegalArgumentException e) {
            throw Main.usage("--agent-transport: " + e.getMessage());
        }
        return TargetOptions.defaults().with(b -> {
            b.vmm(vmm).machine(machine).accel(accel).without(hidden).agentTransport(transport);
            Optional.ofNullable(vsockBackend).ifPresent(b::vsockBackend);
            Optional.ofNullable(vhostUserRtc).ifPresent(b::vhostUserRtc);
            Optional.ofNullable(qemu).ifPresent(b::qemu);
            Optional.ofNullable(container).ifPresent(b::container);
            Optional.ofNullable(firecracker).ifPresent(b::firecracker);
            Optional.ofNullable(cloudHypervisor).ifPresent(b::cloudHypervisor);
            if (kernel != null) {
                b.guest(kernel, initrd);
            }
            form.ifPresent(b::guestKernel);
        });
    }
}
