package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.qemu.Machine;
import dev.vmclock.harness.junit.MachineExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import dev.vmclock.harness.ChildJvms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;

/** No QEMU outlives what started it: a normal close, a failing test, a JVM exit, a kill -9 of the JVM. */
class TeardownTest {

    @Test
    void closeStopsQemuAndRemovesTheRunDirectory() {
        QemuVm vm = QemuVm.start(Qemu.binary(), MachineSpec.builder().build());
        long pid = vm.pid();
        Path dir = vm.runDirectory().path();
        vm.close();
        assertThat(ProcessHandle.of(pid)).isEmpty();
        assertThat(dir).doesNotExist();
    }

    @Test
    void failedStartKeepsEvidenceAndLeavesNothingRunning() {
        MachineSpec broken = MachineSpec.builder().extraArg("-device", "no-such-device").build();
        List<Long> before = qemuPids();
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> QemuVm.start(Qemu.binary(), broken));
        assertThat(t).hasMessageContaining("QEMU failed to start").hasMessageContaining("no-such-device");
        assertThat(qemuPids()).isEqualTo(before);
    }

    @Test
    void failingTestStillStopsItsMachine() {
        FailingTestCase.pid = 0;
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailingTestCase.class)).execute()
                .testEvents().assertStatistics(s -> s.started(1).failed(1));
        assertThat(FailingTestCase.pid).isPositive();
        assertThat(ProcessHandle.of(FailingTestCase.pid)).isEmpty();
    }

    @Test
    void qemuDiesWhenItsJvmExitsWithoutClosing() throws Exception {
        assertChildQemuDies("exit");
    }

    @Test
    void qemuDiesWhenItsJvmIsKilledWithSigkill() throws Exception {
        assertChildQemuDies("wait");
    }

    private static void assertChildQemuDies(String mode) throws Exception {
        long qemuPid = ChildJvms.endAfterPid(ChildJvm.class, "QEMU_PID", mode,
                pid -> assertThat(ProcessHandle.of(pid)).isPresent(), mode);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false))
                .as("QEMU %d after its JVM ended (%s)", qemuPid, mode).isFalse();
    }

    private static List<Long> qemuPids() {
        List<Long> pids = new ArrayList<>();
        ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").contains("qemu-system"))
                .forEach(p -> pids.add(p.pid()));
        return pids;
    }

    // ------------------------------------------------------------------ run by EngineTestKit above

    @ExtendWith(MachineExtension.class)
    static class FailingTestCase {
        static long pid;

        @Test
        void failsWhileAMachineRuns(Machine machine) {
            pid = machine.vm().pid();
            assertThat(Files.exists(machine.home().path())).isTrue();
            throw new AssertionError("deliberate failure");
        }
    }
}
