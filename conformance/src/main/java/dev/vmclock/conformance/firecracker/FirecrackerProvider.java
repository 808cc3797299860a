package dev.vmclock.conformance.firecracker;

import dev.vmclock.conformance.microvm.ElfKernel;
import dev.vmclock.conformance.microvm.KvmHost;
import dev.vmclock.conformance.microvm.MicroVmDoctor;
import dev.vmclock.conformance.microvm.MicroVmResolved;
import dev.vmclock.conformance.microvm.MicroVmTarget;
import dev.vmclock.conformance.microvm.VmmBinary;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Firecracker (>= 1.15.0, VMClock) through its REST API: {@code --vmm firecracker --firecracker PATH}. */
public final class FirecrackerProvider implements VmmProvider {

    public static final String NAME = "firecracker";
    static final String OPTION = "--firecracker";

    /** VMClock only; snapshot files, no live migration (its targets' capabilities derive from this). */
    public static final VmmProfile PROFILE = MicroVmTarget.profile(Set.of(), Device.VMCLOCK, Map.of(),
            "VMClock (ACPI AMZNC10C) from 1.15.0; no virtio-rtc");

    private final KvmHost kvm;

    public FirecrackerProvider() {
        this(KvmHost.local());
    }

    FirecrackerProvider(KvmHost kvm) {
        this.kvm = kvm;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Firecracker (--firecracker PATH, KVM): VMClock; pause/resume, snapshot files, guest agent over vsock";
    }

    @Override
    public VmmProfile profile() {
        return PROFILE;
    }

    @Override
    public ResolvedTarget resolve(TargetOptions o) {
        MicroVmResolved.refuseQemuOnly(o);
        if (o.virtioRtc().orElse(false)) {
            throw new HarnessException(ExitCode.USAGE, "--vmm firecracker has no virtio-rtc device");
        }
        VmmBinary b = VmmBinary.probe(NAME, OPTION, o.firecracker());
        if (o.vmclock() && !b.atLeast(1, 15)) {
            throw new HarnessException(ExitCode.QEMU_WITHOUT_VMCLOCK, OPTION + " " + b.path() + " is Firecracker "
                    + b.version() + ", which has no VMClock device (1.15.0 added it)");
        }
        kvm.require(NAME);
        GuestImage image = o.kernel().isPresent() ? GuestImage.of(o.kernel().get(), o.initrd().orElse(null))
                : new GuestImageBuilder().ensureBuilt();
        var vmlinux = ElfKernel.of("Firecracker", image, o.kernel().isPresent());
        Implementation impl = new Implementation(NAME, b.version(), b.path().toString(), "local", "microvm", "kvm",
                "the CPU has hardware virtualization and /dev/kvm is accessible", Map.of("vmlinux", vmlinux.toString()),
                Optional.empty());
        List<Device> devices = o.vmclock() ? List.of(Device.VMCLOCK) : List.of();
        return new MicroVmResolved(o, b, impl, devices, image, vmlinux, MicroVmResolved.evidenceDir(o, NAME),
                r -> new FirecrackerTarget(r));
    }

    @Override
    public void doctor(TargetOptions o, Consumer<String> line) {
        MicroVmDoctor.doctor(NAME, OPTION, o.firecracker(), kvm, line, "vmclock:     present from 1.15.0 (ACPI AMZNC10C), ",
                v -> v.atLeast(1, 15));
    }
}
