package dev.vmclock.harness.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuVm;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The QMP client against a real QEMU: greeting, commands, error replies, events, timeouts, transcript. */
class QmpClientTest {

    private static QemuVm vm;

    @BeforeAll
    static void start() {
        vm = QemuVm.start(Qemu.binary(), MachineSpec.builder().build());
    }

    @AfterAll
    static void stop() {
        vm.close();
    }

    @Test
    void greetingCarriesTheVersionQemuPrints() {
        assertThat(vm.qmp().qemuVersion()).isEqualTo(Qemu.binary().version().toString());
    }

    @Test
    void commandReturnsItsResult() {
        assertThat(vm.qmp().execute("query-status").path("status").asText()).isEqualTo("running");
        assertThat(vm.qmp().execute("query-version").path("qemu").path("major").asInt())
                .isEqualTo(Qemu.binary().version().major());
    }

    @Test
    void errorReplyBecomesTypedException() {
        assertThatThrownBy(() -> vm.qmp().execute("no-such-command"))
                .isInstanceOfSatisfying(QmpErrorException.class, e -> {
                    assertThat(e.errorClass()).isEqualTo("CommandNotFound");
                    assertThat(e.description()).contains("no-such-command");
                });
        assertThatThrownBy(() -> vm.qmp().execute("device_del", Map.of("id", "nothing-here")))
                .isInstanceOfSatisfying(QmpErrorException.class, e -> assertThat(e.errorClass()).isEqualTo("DeviceNotFound"));
    }

    @Test
    void eventsCanBeAwaitedWithoutRacingTheCommand() {
        QmpEvents.Cursor cursor = vm.qmp().events().cursor();
        vm.qmp().execute("stop");
        vm.qmp().execute("cont");
        assertThat(cursor.await("STOP", Duration.ofSeconds(5)).name()).isEqualTo("STOP");
        QmpEvent resume = cursor.await("RESUME", Duration.ofSeconds(5));
        assertThat(resume.timestampMicros()).isPositive();
        assertThat(cursor.poll("RESUME", e -> true, Duration.ofMillis(50))).isEmpty();
    }

    @Test
    void hmpCommandsReturnText() {
        assertThat(vm.qmp().hmp("info status")).contains("running");
    }

    @Test
    void transcriptKeepsBothDirections() {
        int mark = vm.qmp().transcript().size();
        vm.qmp().execute("query-name");
        assertThat(vm.qmp().transcript().since(mark)).extracting(QmpTranscript.Entry::direction)
                .containsExactly(QmpTranscript.Direction.SENT, QmpTranscript.Direction.RECEIVED);
        assertThat(vm.qmp().transcript().toText()).contains("\"execute\":\"qmp_capabilities\"");
    }

    @Test
    void commandTimesOutWhenQemuDoesNotAnswer() throws Exception {
        try (QemuVm frozen = QemuVm.start(Qemu.binary(), MachineSpec.builder().build())) {
            signal(frozen.pid(), "STOP");
            try {
                assertThatThrownBy(() -> frozen.qmp().execute("query-status", Map.of(), Duration.ofMillis(300)))
                        .isInstanceOf(QmpTimeoutException.class).hasMessageContaining("query-status");
            } finally {
                signal(frozen.pid(), "CONT");
            }
            assertThat(frozen.runState()).isEqualTo("running");
        }
    }

    @Test
    void connectingToNothingFailsClearly() {
        assertThatThrownBy(() -> QmpClient.connect(vm.runDirectory().resolve("absent.sock"), Duration.ofSeconds(1)))
                .isInstanceOf(IOException.class);
    }

    private static void signal(long pid, String sig) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor()).isZero();
    }
}
