package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.qemu.Machine;
import dev.vmclock.harness.events.MigrationTransport;
import dev.vmclock.harness.page.VmclockPage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container target end to end, on real Docker: an image of this machine's own QEMU (no registry),
 * one container, machines in it driven exactly as local ones, and nothing left when it closes.
 */
class ContainerTargetTest {

    private static QemuContainer container;
    private static QemuBinary qemu;

    @BeforeAll
    static void startContainer() {
        container = QemuContainer.start(HostQemuImage.ensureBuilt(Qemu.binary()), QemuContainer.defaultMounts());
        qemu = QemuBinary.locate(container, null).requireVmclock();
    }

    @AfterAll
    static void stopContainer() throws Exception {
        String id = container.containerId();
        container.close();
        assertThat(Docker.containerExists(id)).as("container %s after close", id).isFalse();
    }

    @Test
    void probesTheQemuInsideTheImage() {
        assertThat(qemu.host()).isSameAs(container);
        assertThat(qemu.version()).isEqualTo(Qemu.binary().version());
        assertThat(qemu.path()).isEqualTo(Path.of("qemu-system-x86_64"));
        assertThat(qemu.qemuImg()).isEqualTo(Path.of("qemu-img"));
    }

    @Test
    void aPathWithoutQemuInTheImageIsOneLineNamingTheOption() {
        HarnessException e = catchThrowableOfType(HarnessException.class,
                () -> QemuBinary.locate(container, "/usr/local/bin/no-such-qemu"));
        assertThat(e.exitCode()).isEqualTo(ExitCode.QEMU_NOT_FOUND);
        assertThat(e.getMessage()).contains("no QEMU at /usr/local/bin/no-such-qemu").contains("--qemu").doesNotContain("\n");
    }

    @Test
    void commandsInTheContainerReturnTheirOutputAndExitCode() throws Exception {
        Command.Result ok = container.run(java.util.List.of("qemu-img", "--version"), java.time.Duration.ofSeconds(20));
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.stdout()).startsWith("qemu-img version");
        Command.Result bad = container.run(java.util.List.of("qemu-img", "--no-such-option"), java.time.Duration.ofSeconds(20));
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.stderr()).contains("no-such-option");
    }

    @Test
    void machineInTheContainerReadsThePageMigratesAndRestores() {
        try (Machine m = Machine.start(qemu, MachineSpec.builder().build())) {
            assertThat(Docker.processes(container.containerId())).contains("qemu-system");
            VmclockPage boot = m.readPage().page();
            assertThat(boot.magicIsValid()).isTrue();
            assertThat(boot.size()).isEqualTo(0x1000);

            m.liveMigrate(MigrationTransport.UNIX);
            VmclockPage migrated = m.readPage().page();
            assertThat(migrated.disruptionMarker()).isEqualTo(boot.disruptionMarker() + 1);

            Path state = m.newStateFile();
            m.saveToFile(state);
            assertThat(state).isRegularFile();
            m.restoreFromFile(state);
            VmclockPage restored = m.readPage().page();
            assertThat(restored.disruptionMarker()).isEqualTo(migrated.disruptionMarker() + 1);
            assertThat(m.vm().runState()).isEqualTo("running");
        }
        assertThat(Docker.processes(container.containerId())).doesNotContain("qemu-system");
    }

    @Test
    void forcedKillReachesQemuInsideTheContainer() throws Exception {
        RunDirectory dir = RunDirectory.create("container-kill");
        try {
            Process p = container.start(MachineSpec.builder().build().argv(qemu.path(), dir.path()), dir.path());
            awaitFile(dir.resolve(QemuContainer.PIDFILE));
            assertThat(Docker.processes(container.containerId())).contains("qemu-system");
            p.destroyForcibly();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(Docker.processes(container.containerId())).doesNotContain("qemu-system");
        } finally {
            dir.delete();
        }
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(file).exists();
    }

    @Test
    void aPathWithoutQemuInTheImageIsOneLineError() {
        HarnessException e = catchThrowableOfType(HarnessException.class, () -> QemuBinary.locate(container, "/opt/no/qemu"));
        assertThat(e.exitCode()).isEqualTo(ExitCode.QEMU_NOT_FOUND);
        assertThat(e.getMessage()).contains("/opt/no/qemu").contains("--qemu").doesNotContain("\n");
    }

    @Test
    void anImageThatIsNotThereIsOneLineError() {
        HarnessException e = catchThrowableOfType(HarnessException.class,
                () -> QemuContainer.start("vmclock-conformance/no-such-image:1", QemuContainer.defaultMounts()));
        assertThat(e.exitCode()).isEqualTo(ExitCode.QEMU_NOT_FOUND);
        assertThat(e.getMessage()).contains("no-such-image").contains("nothing is pulled").doesNotContain("\n");
    }
}
