package dev.vmclock.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.vm.Implementation;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The report's record of what a provider resolved: every field carried, and named as the console names it. */
class ImplementationRecordTest {

    private static final Report.Host HOST = new Report.Host("ci-host", "Linux 6.1.0", 2);

    @Test
    void aQemuInAnImageWithAHopKeepsEveryFieldAndItsLine() {
        Implementation resolved = new Implementation("qemu", "10.0.2", "/usr/bin/qemu-system-x86_64",
                "vmclock-conformance/qemu-debian:trixie-0", "pc-q35-10.0", "tcg", "forced with --accel",
                Map.of("qemu-system-x86", "1:10.0.2+ds-2"), Optional.of(new Implementation.Hop("11.1.3",
                "/usr/bin/qemu-system-x86_64", "vmclock-conformance/qemu-debian:trixie-backports-0",
                Map.of("qemu-system-x86", "1:11.1.3"), "pc-q35-10.0")));
        Report.Implementation r = Report.Implementation.of(resolved, null, HOST);
        assertThat(r.vmm()).isEqualTo(new Report.Vmm("qemu", "10.0.2", "/usr/bin/qemu-system-x86_64",
                "vmclock-conformance/qemu-debian:trixie-0", Map.of("qemu-system-x86", "1:10.0.2+ds-2")));
        assertThat(r.accelerator()).isEqualTo(new Report.Accelerator("tcg", "forced with --accel"));
        assertThat(r.machine()).isEqualTo("pc-q35-10.0");
        assertThat(r.hop()).isEqualTo(new Report.Hop(new Report.Vmm("qemu", "11.1.3", "/usr/bin/qemu-system-x86_64",
                "vmclock-conformance/qemu-debian:trixie-backports-0", Map.of("qemu-system-x86", "1:11.1.3")),
                "pc-q35-10.0"));
        assertThat(r.host()).isEqualTo(HOST);
        assertThat(r.describe()).isEqualTo(resolved.describe())
                .isEqualTo("QEMU 10.0.2 (vmclock-conformance/qemu-debian:trixie-0) -> 11.1.3, pc-q35-10.0, tcg");
        assertThat(r.describe("good")).endsWith(", tcg, reference clock good");
    }

    @Test
    void anotherVmmIsNamedInItsOwnSpelling() {
        Implementation resolved = new Implementation("firecracker", "1.15.0", "/usr/local/bin/firecracker", "local",
                "microvm", "kvm", "the only one", Map.of(), Optional.empty());
        Report.Implementation r = Report.Implementation.of(resolved, null, HOST);
        assertThat(r.vmm().name()).isEqualTo("firecracker");
        assertThat(r.vmm().displayName()).isEqualTo("Firecracker");
        assertThat(r.hop()).isNull();
        assertThat(r.describe()).isEqualTo(resolved.describe()).isEqualTo("Firecracker 1.15.0, microvm, kvm");
    }
}
