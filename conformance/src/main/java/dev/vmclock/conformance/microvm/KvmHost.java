package dev.vmclock.conformance.microvm;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether this host's KVM can boot a stock Linux guest, which Firecracker and Cloud Hypervisor need (they have no TCG
 * to fall back to). Opening {@code /dev/kvm} proves little: a paravirtual KVM ({@code kvm_pvm}, on a CPU without
 * VT-x/AMD-V) opens fine and then fails in the guest's decompressor. So: the device must be there and accessible, and
 * on x86 the CPU must show vmx or svm. What is left (a KVM that still cannot boot) shows at the first boot, which is
 * then every check's ERROR with the VMM's console in the evidence.
 *
 * @param devKvm  {@code /dev/kvm}
 * @param cpuinfo {@code /proc/cpuinfo}
 * @param modules {@code /sys/module}, to name kvm_pvm when it is the reason
 * @param arch    {@code os.arch}
 */
public record KvmHost(Path devKvm, Path cpuinfo, Path modules, String arch) {

    public static KvmHost local() {
        return new KvmHost(Path.of("/dev/kvm"), Path.of("/proc/cpuinfo"), Path.of("/sys/module"),
                System.getProperty("os.arch"));
    }

    /** Empty when KVM looks able to boot a guest; else why not, one line. */
    public Optional<String> unusable() {
        if (!Files.exists(devKvm)) {
            return Optional.of(devKvm + " is absent (no KVM module loaded, or not passed into this container)");
        }
        if (!Files.isReadable(devKvm) || !Files.isWritable(devKvm)) {
            return Optional.of(devKvm + " is not readable and writable by this user (add the user to group kvm)");
        }
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            String flags;
            try {
                flags = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("flags")).findFirst().orElse("");
            } catch (IOException e) {
                return Optional.of("cannot read " + cpuinfo + ": " + e.getMessage());
            }
            if (!(" " + flags + " ").matches(".*\\s(vmx|svm)\\s.*")) {
                String pvm = Files.isDirectory(modules.resolve("kvm_pvm")) ? "; /dev/kvm is kvm_pvm's, a paravirtual"
                        + " KVM that boots only guests built for it" : "";
                return Optional.of("the CPU shows neither vmx nor svm (no hardware virtualization" + pvm + ")");
            }
        }
        return Optional.empty();
    }

    /** Bad input (exit 5) naming why KVM cannot boot {@code vmm}'s guest here, and the fix. */
    public void require(String vmm) {
        unusable().ifPresent(why -> {
            throw new HarnessException(ExitCode.ACCELERATOR_UNAVAILABLE, "--vmm " + vmm + " needs KVM that boots a"
                    + " Linux guest, and here " + why + ": run on a host with VT-x or AMD-V (bare metal, or a VM with"
                    + " nested virtualization)");
        });
    }
}
