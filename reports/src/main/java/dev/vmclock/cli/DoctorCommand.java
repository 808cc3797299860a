package dev.vmclock.cli;

import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmmProvider;

import dev.vmclock.harness.ExitCode;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code doctor}: the providers, and what the chosen one finds: its binary, version, time devices, accelerator. */
@Command(name = "doctor", sortOptions = false, abbreviateSynopsis = true, description = {
        "List the hypervisor providers, then print what the one --vmm names finds on this host: for QEMU its"
        + " binary, version, whether it has vmclock and virtio-rtc, the accelerator and why."})
final class DoctorCommand implements Callable<Integer> {

    @Mixin
    TargetArgs target;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    DoctorCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        TargetOptions options = target.options();
        VmmProvider chosen = VmmProvider.named(options.vmm()); // an unknown one is bad input, before anything else
        out.println("providers:");
        VmmProvider.all().forEach(p -> out.printf("  %-16s %s%s%n", p.name(), p.description(), p.name().equals(chosen.name()) ? "  [--vmm]" : ""));
        // With a virtio-rtc back end, the QEMU a run would choose (its front end is in QEMU >= 11.1 only).
        if (chosen instanceof dev.vmclock.conformance.qemu.QemuProvider && options.vhostUserRtc().isPresent()) {
            options = DefaultImplementation.choose(options, out);
        }
        chosen.doctor(options, out::println);
        return ExitCode.OK.code();
    }
}
