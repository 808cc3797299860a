package dev.vmclock.cli;

import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.harness.qemu.Accelerator;
import java.nio.file.Path;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options that choose the implementation under test, shared by run, page and doctor. */
final class TargetArgs {

    @Option(names = "--vmm", paramLabel = "NAME", defaultValue = TargetOptions.DEFAULT_VMM, description = "the"
            + " hypervisor under test: a provider './vmclock-conformance doctor' lists (default: ${DEFAULT-VALUE})")
    String vmm;

    @Option(names = "--qemu", paramLabel = "PATH", description = "QEMU system emulator (default: $VMCLOCK_QEMU, else"
            + " qemu-system-x86_64 on PATH; with --container a path inside the image)")
    String qemu;

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

    @Option(names = "--without", paramLabel = "CAP", split = ",", description = "hide capabilities of the target (e.g."
            + " LIVE_MIGRATION,SNAPSHOT,HOST_MEMORY: Firecracker's shape); the checks that need them are NOT_APPLICABLE")
    List<String> without;

    /**
     * The options as given, nothing resolved or probed ({@code TargetConfig.resolve} does that), in the record the suite's
     * typed configuration is built from; what the command line has no option for stays stock.
     */
    TargetOptions options() {
        return options(Map.of());
    }

    /** As {@link #options()}, with further {@code vmclock.*} parameters (names without the prefix) set as given. */
    TargetOptions options(Map<String, String> further) {
        // Bad input found before QEMU is probed, in the command line's words.
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
        Map<String, String> p = new HashMap<>();
        further.forEach((k, v) -> p.put(TargetOptions.PREFIX + k, v));
        Optional.ofNullable(qemu).ifPresent(v -> p.put(TargetOptions.PREFIX + "qemu", v));
        Optional.ofNullable(container).ifPresent(v -> p.put(TargetOptions.PREFIX + "container", v));
        p.put(TargetOptions.PREFIX + "vmm", vmm);
        p.put(TargetOptions.PREFIX + "machine", machine);
        p.put(TargetOptions.PREFIX + "accel", accel);
        Optional.ofNullable(kernel).ifPresent(v -> p.put(TargetOptions.PREFIX + "kernel", v.toString()));
        Optional.ofNullable(initrd).ifPresent(v -> p.put(TargetOptions.PREFIX + "initrd", v.toString()));
        Optional.ofNullable(without).ifPresent(v -> p.put(TargetOptions.PREFIX + "without", String.join(",", v)));
        return TargetOptions.from(k -> Optional.ofNullable(p.get(k)));
    }
}
