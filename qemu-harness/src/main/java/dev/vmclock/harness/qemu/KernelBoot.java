package dev.vmclock.harness.qemu;

import java.nio.file.Path;

/** Direct kernel boot: {@code -kernel}, {@code -initrd}, {@code -append}. */
public record KernelBoot(Path kernel, Path initrd, String commandLine) {
}
