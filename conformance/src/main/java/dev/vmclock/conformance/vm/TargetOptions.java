package dev.vmclock.conformance.vm;


import dev.vmclock.conformance.clock.ReferenceClock;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The implementation under test as the user names it, before anything is probed: what the command line's
 * options say, or the {@code vmclock.*} JUnit configuration parameters when the suite runs under Maven or
 * an IDE. The provider {@code vmm} names ({@link VmmProvider}) resolves it into the typed configuration, once per run.
 *
 * @param vmm         the provider of the implementation under test ({@code run --vmm}, {@code vmclock.vmm}; default
 *                    {@code qemu})
 * @param without     capabilities of the target hidden from the suite ({@code run --without}): the checks that need
 *                    them are NOT_APPLICABLE naming them, as on a hypervisor that lacks them
 * @param container   a local container image whose QEMU runs the target ({@code qemu} is then a path inside it)
 * @param vmclock     whether the machine has the VMClock device (the self-test removes it)
 * @param virtioRtc   whether the machine has a virtio-rtc device (QEMU >= 11.1); absent: when the QEMU has one and
 *                    the guest image is the built one
 *                    ({@code vmclock.virtioRtc=auto}, the default); the built guest image then
 *                    carries virtio_rtc.ko, compiled in {@code kbuildImage}
 * @param kbuildImage the Docker image virtio_rtc.ko is built in (default {@code $VMCLOCK_KBUILD_IMAGE})
 * @param fault       a {@link TargetDecorator} id from the self-test (deliberately broken implementations)
 * @param vrtcFault   a {@code VirtioRtcFault} id from the self-test, between the device bus and the suite's driver
 * @param clock       a reference writer publishing clock data (QEMU publishes none), good or deliberately bad
 * @param hopTo       a cross-version hop's destination QEMU ({@code vmclock.hopTo}, {@code run --hop-to}): a path to a
 *                    qemu-system-x86_64, a local container image tag, or a name {@code ./vmclock-conformance images}
 *                    lists ({@code host}, {@code bookworm-backports}, {@code trixie}, {@code trixie-backports}; built
 *                    on first need); see {@link Hop}
 */
public record TargetOptions(
        Optional<String> qemu,
        Optional<String> container,
        String machine,
        String accel,
        Optional<Path> kernel,
        Optional<Path> initrd,
        boolean vmclock,
        Optional<Boolean> virtioRtc,
        Optional<String> kbuildImage,
        Optional<Path> pageOverride,
        List<String> qemuArgs,
        Optional<String> fault,
        Optional<ReferenceClock> clock,
        Optional<Path> evidenceDir,
        Optional<String> hopTo,
        String vmm,
        Set<Capability> without,
        Optional<String> vrtcFault) {

    public static final String PREFIX = "vmclock.";
    /** The provider a run uses unless told otherwise. */
    public static final String DEFAULT_VMM = "qemu";

    public TargetOptions {
        qemuArgs = List.copyOf(qemuArgs);
        without = without.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(without));
    }

    /** Stock QEMU from PATH on q35, the accelerator probed. */
    public static TargetOptions defaults() {
        return from(k -> Optional.empty());
    }

    /** Reads the options through {@code param}, e.g. {@code ExtensionContext::getConfigurationParameter}. */
    public static TargetOptions from(Function<String, Optional<String>> param) {
        return new TargetOptions(
                param.apply(PREFIX + "qemu"),
                param.apply(PREFIX + "container").filter(s -> !s.isBlank()),
                param.apply(PREFIX + "machine").orElse("q35"),
                param.apply(PREFIX + "accel").orElse("auto"),
                param.apply(PREFIX + "kernel").map(Path::of),
                param.apply(PREFIX + "initrd").map(Path::of),
                param.apply(PREFIX + "device").map(Boolean::parseBoolean).orElse(true),
                param.apply(PREFIX + "virtioRtc").filter(v -> !v.equals("auto")).map(Boolean::parseBoolean),
                param.apply(PREFIX + "kbuildImage").filter(s -> !s.isBlank()),
                param.apply(PREFIX + "pageOverride").map(Path::of),
                param.apply(PREFIX + "qemuArgs").filter(s -> !s.isBlank()).map(s -> Arrays.asList(s.trim().split("\\s+")))
                        .orElse(List.of()),
                param.apply(PREFIX + "fault").filter(s -> !s.isBlank()),
                param.apply(PREFIX + "clock").map(ReferenceClock::parse),
                param.apply(PREFIX + "evidenceDir").map(Path::of),
                param.apply(PREFIX + "hopTo").filter(s -> !s.isBlank()),
                param.apply(PREFIX + "vmm").filter(s -> !s.isBlank()).orElse(DEFAULT_VMM),
                param.apply(PREFIX + "without").map(Capability::parseList).orElse(Set.of()),
                param.apply(PREFIX + "vrtcFault").filter(s -> !s.isBlank()));
    }

    /** The same options as {@code vmclock.*} parameters: what {@link #from} reads back. */
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        qemu.ifPresent(v -> p.put(PREFIX + "qemu", v));
        container.ifPresent(v -> p.put(PREFIX + "container", v));
        p.put(PREFIX + "machine", machine);
        p.put(PREFIX + "accel", accel);
        kernel.ifPresent(v -> p.put(PREFIX + "kernel", v.toString()));
        initrd.ifPresent(v -> p.put(PREFIX + "initrd", v.toString()));
        p.put(PREFIX + "device", Boolean.toString(vmclock));
        virtioRtc.ifPresent(v -> p.put(PREFIX + "virtioRtc", v.toString()));
        kbuildImage.ifPresent(v -> p.put(PREFIX + "kbuildImage", v));
        pageOverride.ifPresent(v -> p.put(PREFIX + "pageOverride", v.toString()));
        if (!qemuArgs.isEmpty()) {
            p.put(PREFIX + "qemuArgs", String.join(" ", qemuArgs));
        }
        fault.ifPresent(v -> p.put(PREFIX + "fault", v));
        clock.ifPresent(v -> p.put(PREFIX + "clock", v.id()));
        evidenceDir.ifPresent(v -> p.put(PREFIX + "evidenceDir", v.toString()));
        hopTo.ifPresent(v -> p.put(PREFIX + "hopTo", v));
        if (!vmm.equals(DEFAULT_VMM)) {
            p.put(PREFIX + "vmm", vmm);
        }
        vrtcFault.ifPresent(v -> p.put(PREFIX + "vrtcFault", v));
        if (!without.isEmpty()) {
            p.put(PREFIX + "without", without.stream().map(Enum::name).collect(Collectors.joining(",")));
        }
        return p;
    }

    /** The same options with no time device asked for: what {@code doctor} probes, so it reports what is missing. */
    public TargetOptions withoutDevices() {
        Map<String, String> p = parameters();
        p.put(PREFIX + "device", "false");
        p.put(PREFIX + "virtioRtc", "false");
        return from(k -> Optional.ofNullable(p.get(k)));
    }

    /** A one-line description for reports: machine, accelerator and whatever was changed from stock. */
    public String describe() {
        StringBuilder sb = new StringBuilder("machine=" + machine + " accel=" + accel);
        container.ifPresent(c -> sb.append(" container=").append(c));
        if (!vmclock) {
            sb.append(" device=absent");
        }
        virtioRtc.ifPresent(v -> sb.append(v ? " virtio-rtc" : " virtio-rtc=absent"));
        pageOverride.ifPresent(p -> sb.append(" pageOverride=").append(p.getFileName()));
        if (!qemuArgs.isEmpty()) {
            sb.append(" qemuArgs=").append(String.join(" ", qemuArgs));
        }
        fault.ifPresent(f -> sb.append(" fault=").append(f));
        clock.ifPresent(c -> sb.append(" clock=").append(c.id()));
        hopTo.ifPresent(h -> sb.append(" hopTo=").append(h));
        if (!without.isEmpty()) {
            sb.append(" without=").append(without.stream().map(Enum::name).collect(Collectors.joining(",")));
        }
        return sb.toString();
    }
}
