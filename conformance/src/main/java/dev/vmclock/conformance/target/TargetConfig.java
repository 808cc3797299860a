package dev.vmclock.conformance.target;

import dev.vmclock.conformance.clock.ReferenceClock;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The implementation under test, from JUnit configuration parameters ({@code vmclock.*}): what the CLI's
 * options and the project's own fault tests set. Equal configurations share one booted target.
 *
 * @param container a local container image whose QEMU runs the target ({@code qemu} is then a path inside it)
 * @param clock a reference writer publishing clock data (QEMU publishes none), good or deliberately bad
 * @param fault a run-time fault the harness injects by playing the hypervisor's writer (faults prove
 *              the suite can fail; see {@link RuntimeFault})
 */
public record TargetConfig(
        Optional<String> qemu,
        Optional<String> container,
        String machine,
        String accel,
        Optional<Path> kernel,
        Optional<Path> initrd,
        boolean device,
        Optional<Path> pageOverride,
        List<String> qemuArgs,
        Optional<RuntimeFault> fault,
        Optional<ReferenceClock> clock,
        Optional<Path> evidenceDir) {

    public static final String PREFIX = "vmclock.";

    /** Reads the configuration through {@code param}, e.g. {@code ExtensionContext::getConfigurationParameter}. */
    public static TargetConfig from(Function<String, Optional<String>> param) {
        return new TargetConfig(
                param.apply(PREFIX + "qemu"),
                param.apply(PREFIX + "container").filter(s -> !s.isBlank()),
                param.apply(PREFIX + "machine").orElse("q35"),
                param.apply(PREFIX + "accel").orElse("auto"),
                param.apply(PREFIX + "kernel").map(Path::of),
                param.apply(PREFIX + "initrd").map(Path::of),
                param.apply(PREFIX + "device").map(Boolean::parseBoolean).orElse(true),
                param.apply(PREFIX + "pageOverride").map(Path::of),
                param.apply(PREFIX + "qemuArgs").filter(s -> !s.isBlank()).map(s -> Arrays.asList(s.trim().split("\\s+")))
                        .orElse(List.of()),
                param.apply(PREFIX + "fault").map(RuntimeFault::parse),
                param.apply(PREFIX + "clock").map(ReferenceClock::parse),
                param.apply(PREFIX + "evidenceDir").map(Path::of));
    }

    /** A one-line description for reports: machine, accelerator and whatever was changed from stock. */
    public String describe() {
        StringBuilder sb = new StringBuilder("machine=" + machine + " accel=" + accel);
        container.ifPresent(c -> sb.append(" container=").append(c));
        if (!device) {
            sb.append(" device=absent");
        }
        pageOverride.ifPresent(p -> sb.append(" pageOverride=").append(p.getFileName()));
        if (!qemuArgs.isEmpty()) {
            sb.append(" qemuArgs=").append(String.join(" ", qemuArgs));
        }
        fault.ifPresent(f -> sb.append(" fault=").append(f.id()));
        clock.ifPresent(c -> sb.append(" clock=").append(c.id()));
        return sb.toString();
    }
}
