package dev.vmclock.conformance.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvmHostTest {

    @TempDir
    Path dir;

    private KvmHost host(String flags, boolean pvm) throws IOException {
        Path kvm = Files.createFile(dir.resolve("kvm"));
        Files.writeString(dir.resolve("cpuinfo"), "processor\t: 0\nflags\t\t: " + flags + "\n");
        Files.createDirectories(dir.resolve("module").resolve(pvm ? "kvm_pvm" : "kvm_intel"));
        return new KvmHost(kvm, dir.resolve("cpuinfo"), dir.resolve("module"), "amd64");
    }

    @Test
    void hardwareVirtualizationIsUsable() throws IOException {
        assertThat(host("fpu vme vmx sse", false).unusable()).isEmpty();
        Files.delete(dir.resolve("kvm"));
        assertThat(host("fpu svm", false).unusable()).isEmpty();
    }

    @Test
    void aParavirtualKvmIsNamed() throws IOException {
        KvmHost h = host("fpu vme sse hypervisor", true);
        assertThat(h.unusable()).hasValueSatisfying(w -> assertThat(w).contains("neither vmx nor svm").contains("kvm_pvm"));
        assertThatThrownBy(() -> h.require("firecracker")).isInstanceOf(HarnessException.class)
                .satisfies(e -> assertThat(((HarnessException) e).exitCode()).isEqualTo(ExitCode.ACCELERATOR_UNAVAILABLE))
                .hasMessageStartingWith("--vmm firecracker needs KVM that boots a Linux guest, and here the CPU");
    }

    @Test
    void noDevice() {
        KvmHost h = new KvmHost(dir.resolve("absent"), dir.resolve("cpuinfo"), dir, "amd64");
        assertThat(h.unusable()).hasValueSatisfying(w -> assertThat(w).contains("is absent"));
    }
}
