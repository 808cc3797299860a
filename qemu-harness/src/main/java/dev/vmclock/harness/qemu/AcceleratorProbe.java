package dev.vmclock.harness.qemu;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.Waits;
import dev.vmclock.images.GuestImageBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Decides which accelerator really works. Opening {@code /dev/kvm} proves little: a paravirtual KVM
 * (kvm_pvm) without VT-x/AMD-V opens fine and then fails in the kernel decompressor. So the KVM probe
 * boots the guest kernel itself with no root file system and waits for it to reach its own panic;
 * anything short of that falls back to TCG (or fails, when KVM was forced).
 */
public final class AcceleratorProbe {

    private static final Path DEV_KVM = Path.of("/dev/kvm");
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);

    private AcceleratorProbe() {
    }

    /**
     * @param forced      the accelerator the user insisted on, if any
     * @param probeKernel a Linux kernel to prove KVM with; without one, KVM is never chosen automatically
     */
    public static AcceleratorChoice choose(QemuBinary qemu, Optional<Accelerator> forced, Optional<Path> probeKernel) {
        if (forced.isPresent() && forced.get() == Accelerator.TCG) {
            return new AcceleratorChoice(Accelerator.TCG, "forced with --accel tcg");
        }
        boolean mustKvm = forced.isPresent();
        if (!Files.isReadable(DEV_KVM) || !Files.isWritable(DEV_KVM)) {
            return fallback(mustKvm, "/dev/kvm is absent or not accessible to this user");
        }
        if (probeKernel.isEmpty()) {
            if (mustKvm) {
                return new AcceleratorChoice(Accelerator.KVM, "forced with --accel kvm (no guest kernel to prove it boots Linux)");
            }
            return new AcceleratorChoice(Accelerator.TCG, "/dev/kvm opens, but no guest kernel was available to prove KVM boots Linux");
        }
        String failure = cachedBootProbe(qemu, probeKernel.get());
        if (failure == null) {
            return new AcceleratorChoice(Accelerator.KVM, mustKvm ? "forced with --accel kvm; a Linux kernel boots under it"
                    : "a Linux kernel boots under KVM");
        }
        return fallback(mustKvm, failure);
    }

    private static AcceleratorChoice fallback(boolean mustKvm, String why) {
        if (mustKvm) {
            throw new HarnessException(ExitCode.ACCELERATOR_UNAVAILABLE, "--accel kvm does not work here: " + why
                    + "; use --accel tcg or leave --accel out");
        }
        return new AcceleratorChoice(Accelerator.TCG, "KVM unusable: " + why);
    }

    /**
     * The boot probe takes seconds when KVM fails, so its outcome is remembered per host boot, QEMU
     * binary and kernel (a new boot id, binary or kernel probes again).
     */
    private static String cachedBootProbe(QemuBinary qemu, Path kernel) {
        try {
            String bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
            // In a container the binary is not a host file: the image identifies it instead of its timestamp.
            String stamp = qemu.host().isLocal() ? Long.toString(Files.getLastModifiedTime(qemu.path()).toMillis())
                    : qemu.host().describe();
            String key = String.join("|", bootId, qemu.path().toString(), qemu.version().toString(), stamp, kernel.toAbsolutePath().toString(),
                    Long.toString(Files.size(kernel)), Long.toString(Files.getLastModifiedTime(kernel).toMillis()));
            Path cache = GuestImageBuilder.defaultCacheRoot().resolve("accel-probe").resolve(Integer.toHexString(key.hashCode()) + ".txt");
            if (Files.isRegularFile(cache)) {
                List<String> lines = Files.readAllLines(cache);
                if (lines.size() == 2 && lines.get(0).equals(key)) {
                    return lines.get(1).equals("OK") ? null : lines.get(1);
                }
            }
            String failure = bootProbe(qemu, kernel);
            Files.createDirectories(cache.getParent());
            Files.write(cache, List.of(key, failure == null ? "OK" : failure.replace('\n', ' ')));
            return failure;
        } catch (IOException e) {
            return bootProbe(qemu, kernel); // no cache, no harm: probe every time
        }
    }

    /** Null when the kernel boots to its own panic (no root fs) under KVM; else what went wrong. */
    static String bootProbe(QemuBinary qemu, Path kernel) {
        MachineSpec spec = MachineSpec.builder().accelerator(Accelerator.KVM).memoryMib(128).vmclock(false)
                .kernelBoot(new KernelBoot(kernel, null, "console=ttyS0 panic=-1 loglevel=4"))
                .extraArg("-no-reboot").build();
        RunDirectory dir = RunDirectory.create("kvm-probe");
        try {
            Process p = qemu.host().start(spec.argv(qemu.path(), dir.path()), dir.path());
            // Until QEMU exits (the kernel's panic with -no-reboot) or reports that KVM failed.
            String err = Waits.poll(PROBE_TIMEOUT, Duration.ofMillis(50), () -> readQuietly(dir.resolve("qemu.stderr")),
                    e -> !p.isAlive() || kvmFailed(e));
            if (kvmFailed(err)) {
                p.destroyForcibly().waitFor();
                String line = err.lines().filter(l -> l.contains("KVM internal error") || l.contains("emulation failure"))
                        .findFirst().orElse(firstLine(err)).strip();
                return "QEMU reported '" + line + "' while booting the guest kernel";
            }
            if (p.isAlive()) {
                p.destroyForcibly().waitFor();
                return "the guest kernel did not reach its panic within " + PROBE_TIMEOUT.toSeconds() + " s";
            }
            String console = read(dir.resolve("console.log"));
            if (console.contains("Kernel panic") || console.contains("Linux version")) {
                return null;
            }
            return "QEMU exited (" + p.exitValue() + ") before the kernel printed anything: "
                    + firstLine(read(dir.resolve("qemu.stderr")));
        } catch (IOException e) {
            return "cannot start QEMU for the probe: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            dir.delete();
        }
    }

    private static boolean kvmFailed(String stderr) {
        return stderr.contains("KVM internal error") || stderr.contains("emulation failure");
    }

    private static String readQuietly(Path p) {
        try {
            return read(p);
        } catch (IOException e) {
            return "";
        }
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
    }

    private static String firstLine(String s) {
        return s.strip().lines().findFirst().orElse("");
    }
}
