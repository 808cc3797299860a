package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.guest.HybridVsockEndpoint;
import dev.vmclock.harness.qmp.QmpErrorException;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent over hybrid vsock on the host's QEMU: vhost-user-vsock-pci with rust-vmm's vhost-device-vsock (fetched
 * from Debian on first use), guest RAM in a shared memfd. And its bad input: each one line, its exit code, nothing
 * left running.
 */
class VsockGuestTest {

    @TempDir
    Path tmp;

    @AfterEach
    void nothingLeftRunning() {
        assertThat(ProcessHandle.current().descendants().map(p -> p.info().command().orElse(""))
                .filter(c -> c.contains("qemu-system") || c.contains(VsockBackend.BINARY))).isEmpty();
    }

    private static MachineSpec vsock() {
        return MachineSpec.builder().vsockBackend(VsockBackend.locate(Optional.empty())).build();
    }

    @Test
    void theAgentAnswersOverVsockAndTheMachineRefusesToMigrate() {
        try (QemuGuest g = QemuGuest.boot(Qemu.binary(), vsock(), new GuestImageBuilder().ensureBuilt())) {
            List<String> argv = g.machine().vm().spec().argv(Path.of("qemu"), Path.of("/run"));
            assertThat(String.join(" ", argv)).contains("vhost-user-vsock-pci,chardev=vsock")
                    .contains("memory-backend-memfd").doesNotContain("virtserialport");
            assertThat(g.version().agent()).isEqualTo("1.5.0");
            assertThat(g.read().page().magicIsValid()).isTrue();
            assertThatThrownBy(() -> g.machine().qmp().execute("migrate", Map.of("uri", "file:" + tmp.resolve("state"))))
                    .isInstanceOf(QmpErrorException.class).hasMessageContaining("non-migratable device");
        }
    }

    @Test
    void aMissingBackEndIsExitCode8() {
        assertThatThrownBy(() -> VsockBackend.locate(Optional.of(tmp.resolve("vhost-device-vsock"))))
                .isInstanceOf(HarnessException.class)
                .satisfies(e -> assertThat(((HarnessException) e).exitCode()).isEqualTo(ExitCode.VSOCK_BACKEND))
                .hasMessageContaining("is missing");
    }

    @Test
    void aBackEndThatExitsAtStartIsOneLine() throws IOException {
        Path fake = tmp.resolve("fake-backend");
        Files.writeString(fake, "#!/bin/sh\necho 'no such option --vm' >&2\nexit 3\n");
        fake.toFile().setExecutable(true);
        MachineSpec spec = MachineSpec.builder().vsockBackend(fake).build();
        assertThatThrownBy(() -> QemuGuest.boot(Qemu.binary(), spec, new GuestImageBuilder().ensureBuilt()))
                .isInstanceOf(HarnessException.class)
                .satisfies(e -> assertThat(((HarnessException) e).exitCode()).isEqualTo(ExitCode.VSOCK_BACKEND))
                .hasMessageContaining("exited with status 3: no such option --vm")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aBackEndThatDiesDuringTheBootIsExitCode8() {
        assertThatThrownBy(() -> QemuGuest.boot(Qemu.binary(), vsock(), new GuestImageBuilder().ensureBuilt(),
                Duration.ofSeconds(30), m -> ProcessHandle.of(m.vm().vsockBackend().orElseThrow().pid())
                        .ifPresent(ProcessHandle::destroyForcibly)))
                .isInstanceOf(HarnessException.class)
                .satisfies(e -> assertThat(((HarnessException) e).exitCode()).isEqualTo(ExitCode.VSOCK_BACKEND))
                .hasMessageContaining("vsock back end vhost-device-vsock exited")
                .hasMessageContaining("while the guest booted");
    }

    /**
     * A guest whose vsock transport cannot load (an empty module appended to the initramfs, which /init's insmod
     * refuses): the agent starts, but nothing reaches it on vsock.
     */
    @Test
    void aGuestThatNeverAnswersOnVsockSaysWhatItNeeds() throws IOException {
        GuestImage image = new GuestImageBuilder().ensureBuilt();
        Path initrd = tmp.resolve("initramfs-without-vsock.cpio.gz");
        try (var out = Files.newOutputStream(initrd)) {
            out.write(Files.readAllBytes(image.initramfs()));
            out.write(gzip(newc("lib/modules/vmw_vsock_virtio_transport.ko", 0100644, new byte[0])));
        }
        HarnessException e = (HarnessException) org.assertj.core.api.Assertions.catchThrowable(() -> QemuGuest.boot(
                Qemu.binary(), vsock(), GuestImage.of(image.kernel(), initrd), Duration.ofSeconds(20)));
        assertThat(e.exitCode()).isEqualTo(ExitCode.GUEST_IMAGE);
        assertThat(e.getMessage()).contains("never answered on vsock port " + HybridVsockEndpoint.AGENT_PORT)
                .contains("insmod vmw_vsock_virtio_transport.ko failed").doesNotContain("\n");
        Path runDir = Path.of(e.getMessage().replaceAll(".*guest console: ([^)]*)\\).*", "$1")).getParent();
        try (var files = Files.list(runDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("sockets left in " + runDir)
                    .noneMatch(n -> n.endsWith(".sock"));
        }
    }

    /** A back end gone mid-run: the next agent calls fail naming it (a check's ERROR), and closing leaves nothing. */
    @Test
    void aBackEndThatDiesMidRunIsNamedByTheNextCall() {
        try (QemuGuest g = QemuGuest.boot(Qemu.binary(), vsock(), new GuestImageBuilder().ensureBuilt())) {
            g.ping();
            ProcessHandle.of(g.machine().vm().vsockBackend().orElseThrow().pid()).ifPresent(ProcessHandle::destroyForcibly);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> !g.machine().vm().vsockBackend().orElseThrow().isAlive());
            Throwable first = org.assertj.core.api.Assertions.catchThrowable(g::ping);
            Throwable second = org.assertj.core.api.Assertions.catchThrowable(g::ping);
            assertThat(first).isNotNull();
            assertThat(second).isInstanceOf(HarnessException.class)
                    .hasMessageContaining("the vsock back end vhost-device-vsock exited");
        }
    }

    /** kill -9 of the JVM: the back end, started under setpriv from the launcher thread, dies with it as QEMU does. */
    @Test
    void theBackEndDiesWithItsJvm() throws Exception {
        Path binary = VsockBackend.locate(Optional.empty());
        long pid = dev.vmclock.harness.ChildJvms.endAfterPid(ChildJvm.class, "BACKEND_PID", "wait",
                p -> assertThat(ProcessHandle.of(p).map(ProcessHandle::isAlive)).contains(true),
                binary.toString(), tmp.toString(), "wait");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    /** Starts a back end, prints its pid, then waits to be killed. */
    static final class ChildJvm {
        public static void main(String[] args) throws Exception {
            VsockBackend b = VsockBackend.start(Path.of(args[0]), Path.of(args[1]));
            System.out.println("BACKEND_PID=" + b.pid());
            System.out.flush();
            System.in.read();
        }
    }

    /** One newc archive holding a regular file, with its trailer. */
    private static byte[] newc(String name, int mode, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        entry(b, name, mode, data, 1);
        entry(b, "TRAILER!!!", 0, new byte[0], 0);
        return b.toByteArray();
    }

    private static void entry(ByteArrayOutputStream b, String name, int mode, byte[] data, int nlink) throws IOException {
        String hdr = String.format("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 0x9000 + nlink, mode, 0, 0,
                nlink, 0, data.length, 0, 0, 0, 0, name.length() + 1, 0);
        b.write(hdr.getBytes(StandardCharsets.US_ASCII));
        b.write((name + "\0").getBytes(StandardCharsets.US_ASCII));
        pad(b);
        b.write(data);
        pad(b);
    }

    private static void pad(ByteArrayOutputStream b) {
        while (b.size() % 4 != 0) {
            b.write(0);
        }
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(data);
        }
        return b.toByteArray();
    }
}
