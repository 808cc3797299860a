package dev.vmclock.conformance.microvm;

import dev.vmclock.harness.guest.HybridVsockEndpoint;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** {@code doctor} for Firecracker and Cloud Hypervisor: the same findings, each VMM its own device. */
public final class MicroVmDoctor {

    private MicroVmDoctor() {
    }

    /** What both micro-VM providers print: the binary and version, KVM, the vsock transport; FAILS on what is missing. */
    public static void doctor(String vmm, String option, Optional<String> path, KvmHost kvm, Consumer<String> line,
                       String devicePrefix, Predicate<VmmBinary> deviceOk) {
        HarnessException missing = null;
        try {
            VmmBinary b = VmmBinary.probe(vmm, option, path);
            line.accept("binary:      " + b.path());
            line.accept("version:     " + b.versionLine());
            line.accept(devicePrefix + (deviceOk.test(b) ? "this version has it" : "ABSENT in " + b.version()));
            if (!deviceOk.test(b)) {
                missing = new HarnessException(ExitCode.QEMU_WITHOUT_VMCLOCK, "this " + vmm + " is too old for its time"
                        + " device");
            }
        } catch (HarnessException e) {
            line.accept("binary:      MISSING: " + e.getMessage());
            missing = e;
        }
        Optional<String> why = kvm.unusable();
        line.accept("kvm:         " + why.map(w -> "UNUSABLE: " + w).orElse("usable (vmx/svm, /dev/kvm accessible)"));
        line.accept("guest agent: hybrid vsock, guest port " + HybridVsockEndpoint.AGENT_PORT);
        if (missing != null) {
            throw missing;
        }
        kvm.require(vmm);
    }
}
