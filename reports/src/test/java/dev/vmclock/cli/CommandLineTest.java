package dev.vmclock.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.harness.guest.AgentTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line's own behaviour, no QEMU needed: help, usage errors, option values reaching the commands. */
class CommandLineTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of(args));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpShowsEveryCommandItsOptionsAndTheExitCodes() {
        assertThat(run("--help")).isZero();
        assertThat(stdout()).contains("run", "report", "allure", "page", "doctor")
                .contains("--select", "--fail-on", "--reference-clock", "--qemu=PATH", "$VMCLOCK_QEMU", "--container",
                        "--machine", "--accel", "--kernel", "--initrd", "--json", "--guest")
                .contains("exit codes:").contains("QEMU or the harness broke");
        assertThat(stderr()).isEmpty();
    }

    @Test
    void noCommandPrintsTheUsageAndExitsTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(stdout()).startsWith("Usage: ./vmclock-conformance");
    }

    @Test
    void aCommandsHelpIsItsOwn() {
        assertThat(run("page", "--help")).isZero();
        assertThat(stdout()).contains("--json").doesNotContain("--fail-on");
        assertThat(run("help", "run")).isZero();
        assertThat(stdout()).contains("--fail-on");
    }

    @Test
    void usageErrorsAreOneLineNamingTheFix() {
        assertThat(run("page", "extra")).isEqualTo(2);
        assertThat(run("run", "--fail-on", "sometimes")).isEqualTo(2);
        assertThat(run("doctor", "--kernel", "/tmp/vmlinuz")).isEqualTo(2);
        assertThat(run("allure")).isEqualTo(2);
        assertThat(stderr().lines()).hasSize(4).allSatisfy(l -> assertThat(l).startsWith("vmclock-conformance: ")
                .endsWith("(see ./vmclock-conformance --help)"));
        assertThat(stderr()).contains("unexpected argument extra").contains("--fail-on takes must|should[,unexpected-pass], not 'sometimes'")
                .contains("--kernel and --initrd go together").contains("at least one run directory");
    }

    @Test
    void targetOptionsReachTheRecordWithTheirDefaults() {
        TargetArgs args = new TargetArgs();
        new picocli.CommandLine(args).parseArgs("--qemu", "/opt/qemu", "--kernel", "/k", "--initrd", "/i");
        TargetOptions o = args.options();
        assertThat(o.qemu()).contains("/opt/qemu");
        assertThat(o.container()).isEmpty();
        assertThat(o.machine()).isEqualTo("q35");
        assertThat(o.accel()).isEqualTo("auto");
        assertThat(o.kernel()).contains(Path.of("/k"));
        assertThat(o.initrd()).contains(Path.of("/i"));
        assertThat(o.vmclock()).as("stock: the device present").isTrue();
        assertThat(o.hypervisorWriter()).isFalse();
        assertThat(o.agentTransport()).as("stock: virtio-serial").isEqualTo(AgentTransport.VIRTIO_SERIAL);
        assertThat(o.vsockBackend()).isEmpty();
        assertThat(o.guestKernel()).as("the image's default").isEmpty();
    }

    @Test
    void theAgentTransportIsTypedAndRoundTrips() {
        TargetArgs args = new TargetArgs();
        new picocli.CommandLine(args).parseArgs("--agent-transport", "vsock", "--vsock-backend", "/opt/vhost-device-vsock");
        TargetOptions o = args.options();
        assertThat(o.agentTransport()).isEqualTo(AgentTransport.VSOCK);
        assertThat(o.vsockBackend()).contains(Path.of("/opt/vhost-device-vsock"));
        assertThat(o.describe()).contains("agent=vsock");
        // what the Maven/IDE fallback reads back: the same typed options
        assertThat(TargetOptions.from(k -> java.util.Optional.ofNullable(o.parameters().get(k)))).isEqualTo(o);
        assertThat(run("run", "--agent-transport", "pigeon")).isEqualTo(2);
        assertThat(stderr()).contains("unknown agent transport 'pigeon': give virtio-serial or vsock");
    }

    @Test
    void guestKernelIsTypedAndTravelsAsAParameter() {
        TargetArgs args = new TargetArgs();
        new picocli.CommandLine(args).parseArgs("--guest-kernel", "bzimage");
        TargetOptions o = args.options();
        assertThat(o.guestKernel()).contains(dev.vmclock.images.GuestKernel.BZIMAGE);
        assertThat(TargetOptions.from(k -> java.util.Optional.ofNullable(o.parameters().get(k)))).isEqualTo(o);
        assertThat(o.describe()).contains("guestKernel=bzimage");

        TargetArgs bad = new TargetArgs();
        new picocli.CommandLine(bad).parseArgs("--guest-kernel", "uImage");
        assertThatThrownBy(bad::options).hasMessageContaining("--guest-kernel must be vmlinux or bzimage, not uImage");
        TargetArgs both = new TargetArgs();
        new picocli.CommandLine(both).parseArgs("--guest-kernel", "vmlinux", "--kernel", "/k", "--initrd", "/i");
        assertThatThrownBy(both::options).hasMessageContaining("--kernel boots as given");
    }
}
