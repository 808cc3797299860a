package dev.vmclock.conformance.microvm;

import dev.vmclock.conformance.vm.Implementation;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.images.GuestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A Firecracker or Cloud Hypervisor resolved once: the binary probed, KVM checked, the devices and the guest chosen.
 *
 * @param vmlinux the ELF kernel both boot
 * @param opener  makes the provider's target
 */
public record MicroVmResolved(TargetOptions options, VmmBinary binary, Implementation implementation,
                              List<Device> devices, GuestImage guestImage, Path vmlinux, Path evidenceDir,
                              Function<MicroVmResolved, VmTarget> opener) implements ResolvedTarget {

    public MicroVmResolved {
        devices = List.copyOf(devices);
    }

    /** A fresh evidence directory unless the options name one. */
    public static Path evidenceDir(TargetOptions o, String vmm) {
        return o.evidenceDir().orElseGet(() -> {
            try {
                return Files.createTempDirectory("vmclock-" + vmm + "-evidence-");
            } catch (IOException e) {
                throw new HarnessException(ExitCode.OUTPUT_NOT_WRITABLE, "cannot create an evidence directory: "
                        + e.getMessage(), e);
            }
        });
    }

    /** Options of the built-in QEMU provider, which a micro-VM provider cannot honour: bad input rather than ignored. */
    public static void refuseQemuOnly(TargetOptions o) {
        String vmm = o.vmm();
        o.hopTo().ifPresent(h -> {
            throw qemuOnly(vmm, "--hop-to");
        });
        o.clock().ifPresent(c -> {
            throw qemuOnly(vmm, "--reference-clock");
        });
        o.container().ifPresent(c -> {
            throw qemuOnly(vmm, "--container");
        });
        o.pageOverride().ifPresent(c -> {
            throw qemuOnly(vmm, "a page override");
        });
        if (o.hypervisorWriter()) {
            throw qemuOnly(vmm, "the hypervisor writer");
        }
    }

    private static HarnessException qemuOnly(String vmm, String option) {
        return new HarnessException(ExitCode.USAGE, "--vmm " + vmm + ": " + option + " needs QEMU (--vmm qemu); drop it");
    }

    @Override
    public Optional<GuestImage> image() {
        return Optional.of(guestImage);
    }

    @Override
    public String describe() {
        return implementation.describe() + " " + options.describe();
    }

    @Override
    public VmTarget open() {
        return opener.apply(this);
    }
}
