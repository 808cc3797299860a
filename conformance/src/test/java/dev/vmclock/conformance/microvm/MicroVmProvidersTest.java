package dev.vmclock.conformance.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmmProvider;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both providers through ServiceLoader, as {@code --vmm} finds them: bad input before anything starts, and doctor. */
class MicroVmProvidersTest {

    @TempDir
    Path dir;

    private Path fakeBinary(String versionLine) throws IOException {
        Path p = dir.resolve("vmm-" + Math.abs(versionLine.hashCode()));
        Files.writeString(p, "#!/bin/sh\necho '" + versionLine + "'\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static ExitCode exit(Runnable r) {
        try {
            r.run();
        } catch (HarnessException e) {
            return e.exitCode();
        }
        throw new AssertionError("no HarnessException");
    }

    @Test
    void bothAreFoundByName() {
        assertThat(VmmProvider.named("firecracker").name()).isEqualTo("firecracker");
        assertThat(VmmProvider.named("cloud-hypervisor").name()).isEqualTo("cloud-hypervisor");
    }

    @Test
    void aMissingOrBrokenBinaryIsUsage() throws IOException {
        TargetOptions fc = TargetOptions.defaults().with(b -> b.vmm("firecracker"));
        assertThatThrownBy(() -> VmmProvider.named("firecracker").resolve(fc)).hasMessageContaining("needs --firecracker PATH");
        assertThat(exit(() -> VmmProvider.named("firecracker").resolve(fc.with(b -> b.firecracker(dir + "/nope")))))
                .isEqualTo(ExitCode.USAGE);
        Path notExec = Files.writeString(dir.resolve("ch"), "x");
        assertThatThrownBy(() -> VmmProvider.named("cloud-hypervisor").resolve(TargetOptions.defaults()
                .with(b -> b.vmm("cloud-hypervisor").cloudHypervisor(notExec.toString()))))
                .hasMessageContaining("not an executable file");
        Path silent = fakeBinary("hello");
        assertThatThrownBy(() -> VmmProvider.named("firecracker").resolve(fc.with(b -> b.firecracker(silent.toString()))))
                .hasMessageContaining("printed no version");
    }

    @Test
    void tooOldForItsDeviceIsNamed() throws IOException {
        Path old = fakeBinary("Firecracker v1.14.2");
        assertThatThrownBy(() -> VmmProvider.named("firecracker").resolve(TargetOptions.defaults()
                .with(b -> b.vmm("firecracker").firecracker(old.toString())))).hasMessageContaining("1.15.0 added it");
        Path oldCh = fakeBinary("cloud-hypervisor v52.0");
        assertThatThrownBy(() -> VmmProvider.named("cloud-hypervisor").resolve(TargetOptions.defaults()
                .with(b -> b.vmm("cloud-hypervisor").cloudHypervisor(oldCh.toString()))))
                .hasMessageContaining("v53.0 added --rtc");
    }

    @Test
    void qemuOnlyOptionsAreRefused() throws IOException {
        Path fc = fakeBinary("Firecracker v1.15.0");
        assertThatThrownBy(() -> VmmProvider.named("firecracker").resolve(TargetOptions.defaults()
                .with(b -> b.vmm("firecracker").firecracker(fc.toString()).hopTo("trixie"))))
                .hasMessageContaining("--hop-to needs QEMU");
    }

    /** On this machine the KVM check refuses (kvm_pvm, no vmx/svm); elsewhere a host without /dev/kvm stands in. */
    @Test
    void withoutUsableKvmTheRunIsRefusedAndDoctorSaysWhy() throws IOException {
        Path fc = fakeBinary("Firecracker v1.15.0");
        KvmHost none = new KvmHost(dir.resolve("no-kvm"), Path.of("/proc/cpuinfo"), Path.of("/sys/module"), "amd64");
        var provider = new dev.vmclock.conformance.firecracker.FirecrackerProviderAccess(none).provider();
        TargetOptions o = TargetOptions.defaults().with(b -> b.vmm("firecracker").firecracker(fc.toString()));
        assertThat(exit(() -> provider.resolve(o))).isEqualTo(ExitCode.ACCELERATOR_UNAVAILABLE);
        List<String> lines = new ArrayList<>();
        assertThat(exit(() -> provider.doctor(o, lines::add))).isEqualTo(ExitCode.ACCELERATOR_UNAVAILABLE);
        assertThat(lines).anyMatch(l -> l.startsWith("version:     Firecracker v1.15.0"))
                .anyMatch(l -> l.startsWith("kvm:         UNUSABLE: " + dir.resolve("no-kvm") + " is absent"));
    }
}
