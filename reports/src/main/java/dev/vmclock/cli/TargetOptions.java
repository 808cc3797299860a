package dev.vmclock.cli;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The target options as given on the command line, before anything is resolved or probed ({@link Target}
 * does that): the one place a typed configuration is built from.
 *
 * @param qemu      {@code --qemu}; absent: {@code $VMCLOCK_QEMU}, else {@code qemu-system-x86_64} on PATH (in the
 *                  image's PATH for a container target)
 * @param container {@code --container IMAGE}: QEMU runs in a container of this local image
 * @param machine   {@code --machine}, unvalidated ({@code q35} by default)
 * @param accel     {@code --accel}, unvalidated ({@code auto} by default)
 * @param kernel    {@code --kernel}, given together with {@code --initrd} or not at all
 */
record TargetOptions(Optional<String> qemu, Optional<String> container, String machine, String accel,
                     Optional<Path> kernel, Optional<Path> initrd) {

    static final String DEFAULT_MACHINE = "q35";
    static final String DEFAULT_ACCEL = "auto";
}
