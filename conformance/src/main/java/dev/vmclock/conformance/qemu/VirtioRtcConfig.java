package dev.vmclock.conformance.qemu;

import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.view.VirtioRtcFault;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which QEMU the device-level virtio-rtc checks drive, from the same {@code vmclock.*} parameters as
 * {@link TargetOptions} ({@code vmclock.qemu}, {@code vmclock.container}, {@code vmclock.evidenceDir}), plus
 * {@code vmclock.vrtcFault}: a {@link VirtioRtcFault} by id. Equal configurations share one QEMU.
 */
public record VirtioRtcConfig(Optional<String> qemu, Optional<String> container, Optional<String> fault,
                              Optional<Path> evidenceDir) {

    public static VirtioRtcConfig from(Function<String, Optional<String>> param) {
        return new VirtioRtcConfig(param.apply(TargetOptions.PREFIX + "qemu"),
                param.apply(TargetOptions.PREFIX + "container").filter(s -> !s.isBlank()),
                param.apply(TargetOptions.PREFIX + "vrtcFault").filter(s -> !s.isBlank()),
                param.apply(TargetOptions.PREFIX + "evidenceDir").map(Path::of));
    }
}
