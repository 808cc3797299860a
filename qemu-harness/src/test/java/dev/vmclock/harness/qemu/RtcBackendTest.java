package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A virtio-rtc back end's bad input, found before any QEMU starts: each one line naming the cause, exit 9, nothing left
 * running. The back ends here are small scripts that fail in one way each.
 */
class RtcBackendTest {

    @TempDir
    Path tmp;

    @AfterEach
    void nothingLeftRunning() {
        assertThat(ProcessHandle.current().descendants().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(tmp.toString()))).isEmpty();
    }

    private Path script(String name, String body) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    /** A back end answering --version, then running {@code serve} (Python) on the socket given by --socket-path. */
    private Path python(String name, String serve) throws IOException {
        return script(name, """
                #!/usr/bin/env python3
                import socket, struct, sys, time
                if sys.argv[1:] == ['--version']:
                    print('fake-rtc 0.1'); sys.exit(0)
                path = sys.argv[sys.argv.index('--socket-path') + 1]
                s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(1)
                c, _ = s.accept()
                req, flags, size = struct.unpack('<III', c.recv(12))
                """ + serve);
    }

    private static void assertExit9(Runnable r, String message) {
        assertThatThrownBy(r::run).isInstanceOf(HarnessException.class)
                .satisfies(e -> assertThat(((HarnessException) e).exitCode()).isEqualTo(ExitCode.RTC_BACKEND))
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aMissingBackEndIsNamed() {
        assertExit9(() -> RtcBackend.CommandLine.parse(tmp.resolve("nothing").toString()), "is missing");
        assertExit9(() -> RtcBackend.CommandLine.parse("no-such-rtc-backend-here"), "is not on the PATH");
    }

    @Test
    void aBackEndThatIsNotExecutableIsNamed() throws IOException {
        Path p = Files.writeString(tmp.resolve("plain"), "#!/bin/sh\n");
        assertExit9(() -> RtcBackend.CommandLine.parse(p.toString()), "not executable (chmod +x it)");
    }

    @Test
    void theCommandKeepsItsArguments() throws IOException {
        Path p = script("rtc", "#!/bin/sh\n");
        assertThat(RtcBackend.CommandLine.parse(p + "  --fault   early ").argv()).containsExactly(p.toString(), "--fault", "early");
    }

    @Test
    void aBackEndWithoutVersionIsNamed() throws IOException {
        Path p = script("rtc", "#!/bin/sh\necho 'unknown option --version' >&2\nexit 2\n");
        assertExit9(() -> RtcBackend.version(RtcBackend.CommandLine.parse(p.toString())),
                "does not answer --version (exit 2: unknown option --version)");
    }

    @Test
    void aBackEndThatExitsAtStartIsNamedWithItsStderr() throws IOException {
        Path p = script("rtc", "#!/bin/sh\necho 'no such option --socket-path' >&2\nexit 3\n");
        assertExit9(() -> RtcBackend.probe(RtcBackend.CommandLine.parse(p.toString())),
                "exited with status 3: no such option --socket-path");
    }

    @Test
    void aBackEndThatMakesNoSocketIsNamed() throws IOException {
        Path p = script("rtc", "#!/bin/sh\nexec sleep 60\n");
        assertExit9(() -> RtcBackend.probe(RtcBackend.CommandLine.parse(p.toString())), "made no socket rtc.sock listening within");
    }

    @Test
    void aBackEndOfAnotherProtocolVersionIsNamed() throws IOException {
        Path p = python("rtc", "c.sendall(struct.pack('<IIIQ', req, 0x4 | 0x2, 8, 1 << 32))\ntime.sleep(5)\n");
        assertExit9(() -> RtcBackend.probe(RtcBackend.CommandLine.parse(p.toString())),
                "speaks vhost-user protocol version 2; QEMU speaks 1");
    }

    @Test
    void aBackEndThatHangsUpIsNamed() throws IOException {
        Path p = python("rtc", "c.close()\n");
        assertExit9(() -> RtcBackend.probe(RtcBackend.CommandLine.parse(p.toString())), "closed the connection");
    }

    @Test
    void aLegacyDeviceIsNamed() throws IOException {
        Path p = python("rtc", "c.sendall(struct.pack('<IIIQ', req, 0x4 | 0x1, 8, 1))\ntime.sleep(5)\n");
        assertExit9(() -> RtcBackend.probe(RtcBackend.CommandLine.parse(p.toString())), "without VIRTIO_F_VERSION_1");
    }

    /** bind() makes the socket file before listen(): the back end counts as started only once it listens. */
    @Test
    void aBackEndIsStartedOnceItsSocketListensNotWhenTheFileAppears() throws IOException {
        Path p = script("rtc", """
                #!/usr/bin/env python3
                import socket, sys, time
                path = sys.argv[sys.argv.index('--socket-path') + 1]
                s = socket.socket(socket.AF_UNIX); s.bind(path)
                time.sleep(1)
                s.listen(1)
                c, _ = s.accept()
                time.sleep(60)
                """);
        Path dir = Files.createDirectories(tmp.resolve("run"));
        try (RtcBackend b = RtcBackend.start(RtcBackend.CommandLine.parse(p.toString()), dir);
             java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            assertThat(ch.connect(java.net.UnixDomainSocketAddress.of(b.socket()))).isTrue();
        }
    }

    /** kill -9 of the JVM: the back end, started like QEMU (setpriv --pdeathsig KILL), dies with it. */
    @Test
    void theBackEndDiesWithItsJvm() throws Exception {
        Path p = python("rtc", "time.sleep(600)\n");
        Path dir = Files.createDirectories(tmp.resolve("run"));
        long pid = dev.vmclock.harness.ChildJvms.endAfterPid(ChildJvm.class, "BACKEND_PID", "wait",
                b -> assertThat(ProcessHandle.of(b).map(ProcessHandle::isAlive)).contains(true), p.toString(),
                dir.toString(), "wait");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    /** Starts a back end (its socket made), prints its pid, then waits to be killed. */
    static final class ChildJvm {
        public static void main(String[] args) throws Exception {
            RtcBackend b = RtcBackend.start(RtcBackend.CommandLine.parse(args[0]), Path.of(args[1]));
            System.out.println("BACKEND_PID=" + b.pid());
            System.out.flush();
            System.in.read();
        }
    }

    @Test
    void aBackEndThatAnswersIsProbedAndStopped() throws IOException {
        Path p = python("rtc", "c.sendall(struct.pack('<IIIQ', req, 0x4 | 0x1, 8, (1 << 32) | 1))\ntime.sleep(60)\n");
        RtcBackend.CommandLine c = RtcBackend.CommandLine.parse(p.toString());
        assertThat(RtcBackend.version(c)).isEqualTo("fake-rtc 0.1");
        assertThat(RtcBackend.probe(c)).isEqualTo((1L << 32) | 1);
    }
}
