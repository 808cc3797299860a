package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RAM-file option's argv, and that the default machine is unchanged by it. */
class MachineSpecRamFileTest {

    private static final Path QEMU = Path.of("/usr/bin/qemu-system-x86_64");
    private static final Path DIR = Path.of("/run/m");

    @Test
    void theDefaultKeepsQemuOwnRam() {
        List<String> argv = MachineSpec.builder().build().argv(QEMU, DIR);
        assertThat(argv).doesNotContain("-object").contains("q35").noneMatch(a -> a.contains("memory-backend"));
    }

    @Test
    void aRamFileIsASharedBackendOfTheMachineSizeInTheRunDirectory() {
        MachineSpec spec = MachineSpec.builder().machineType("pc").memoryMib(512).ramFile(true).build();
        List<String> argv = spec.argv(QEMU, DIR);
        assertThat(argv).containsSubsequence("-machine", "pc,memory-backend=ram");
        assertThat(argv).containsSubsequence("-m", "512");
        assertThat(argv).containsSubsequence("-object",
                "memory-backend-file,id=ram,size=512M,mem-path=/run/m/guest-ram.bin,share=on");
        assertThat(spec.asMigrationTarget(Path.of("d.qcow2")).ramFile()).isTrue(); // each new QEMU gets its own file
    }
}
