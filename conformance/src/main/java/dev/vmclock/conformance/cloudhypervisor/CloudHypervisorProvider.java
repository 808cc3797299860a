package dev.vmclock.conformance.cloudhypervisor;

import dev.vmclock.conformance.microvm.ElfKernel;
import dev.vmclock.conformance.microvm.KvmHost;
import dev.vmclock.conformance.microvm.MicroVmDoctor;
import dev.vmclock.conformance.microvm.MicroVmResolved;
import dev.vmclock.conformance.microvm.MicroVmTarget;
import dev.vmclock.conformance.microvm.VmmBinary;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.Implementation;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmmProfile;
import dev.vmclock.conformance.vm.VmmProvider;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Cloud Hypervisor (>= v53.0, virtio-rtc) through its REST API: {@code --vmm cloud-hypervisor --cloud-hypervisor PATH}.
 * It has no VMClock, so the machine has virtio-rtc only (the VMClock checks are NOT_APPLICABLE naming the device) and
 * the guest image must carry virtio_rtc.ko.
 */
public final class CloudHypervisorProvider implements VmmProvider {

    public static final String NAME = "cloud-hypervisor";
    static final String OPTION = "--cloud-hypervisor";

    /** virtio-rtc only, seen through the guest; local live migration (its targets' capabilities derive from this). */
    public static final VmmProfile PROFILE = MicroVmTarget.profile(Set.of(Capability.LIVE_MIGRATION),
            Device.VIRTIO_RTC, Map.of(Capability.DEVICE_BUS, "no device-level bus: virtio-rtc is reached through the"
                    + " guest's virtio_rtc driver only"), "virtio-rtc (--rtc) from v53.0; no VMClock");

    private final KvmHost kvm;

    public CloudHypervisorProvider() {
        this(KvmHost.local());
    }

    CloudHypervisorProvider(KvmHost kvm) {
        this.kvm = kvm;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Cloud Hypervisor (--cloud-hypervisor PATH, KVM): virtio-rtc in the guest; pause/resume, snapshot and"
                + " restore, local live migration, guest agent over vsock";
    }

    @Override
    public VmmProfile profile() {
        return PROFILE;
    }

    @Override
    public ResolvedTarget resolve(TargetOptions o) {
        MicroVmResolved.refuseQemuOnly(o);
        if (o.virtioRtc().isPresent() && !o.virtioRtc().get()) {
            throw new HarnessException(ExitCode.USAGE, "--vmm cloud-hypervisor: its only time device is virtio-rtc,"
                    + " which was turned off");
        }
        VmmBinary b = VmmBinary.probe(NAME, OPTION, o.cloudHypervisor());
        if (!b.atLeast(53, 0)) {
            throw new HarnessException(ExitCode.QEMU_WITHOUT_VMCLOCK, OPTION + " " + b.path() + " is Cloud Hypervisor "
                    + b.version() + ", which has no virtio-rtc device (v53.0 added --rtc)");
        }
        kvm.require(NAME);
        GuestImage image = o.kernel().isPresent() ? GuestImage.of(o.kernel().get(), o.initrd().orElse(null))
                : new GuestImageBuilder().ensureBuilt();
        Path vmlinux = ElfKernel.of("Cloud Hypervisor", image, o.kernel().isPresent());
        Implementation impl = new Implementation(NAME, b.version(), b.path().toString(), "local", "x86_64", "kvm",
                "the CPU has hardware virtualization and /dev/kvm is accessible", Map.of("vmlinux", vmlinux.toString()),
                Optional.empty());
        // The VMClock default of the options (on) is QEMU's; here there is none to ask for.
        return new MicroVmResolved(o, b, impl, java.util.List.of(Device.VIRTIO_RTC), image, vmlinux,
                MicroVmResolved.evidenceDir(o, NAME), r -> new CloudHypervisorTarget(r));
    }

    @Override
    public void doctor(TargetOptions o, Consumer<String> line) {
        line.accept("vmclock:     absent (Cloud Hypervisor has none: the VMClock checks are NOT_APPLICABLE)");
        MicroVmDoctor.doctor(NAME, OPTION, o.cloudHypervisor(), kvm, line, "virtio-rtc:  from v53.0 (--rtc), ",
                v -> v.atLeast(53, 0));
    }
}
