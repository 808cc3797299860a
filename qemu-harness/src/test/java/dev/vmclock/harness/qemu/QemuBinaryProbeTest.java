package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A QEMU binary is probed once per file: the same file again gives the same answers without running it, as an
 * instance of its own; a replaced file is probed anew.
 */
class QemuBinaryProbeTest {

    @TempDir
    Path dir;

    /** A stand-in emulator that answers --version and -device help, and counts how often it ran. */
    private Path fakeQemu(String version) throws IOException {
        Path qemu = dir.resolve("qemu-system-x86_64");
        Files.writeString(qemu, "#!/bin/sh\necho run >> " + dir.resolve("runs") + "\n"
                + "case \"$1\" in --version) echo 'QEMU emulator version " + version + "';;"
                + " *) echo 'name \"vmclock\", bus System';; esac\n");
        Files.setPosixFilePermissions(qemu, PosixFilePermissions.fromString("rwxr-xr-x"));
        return qemu;
    }

    private long runs() throws IOException {
        return Files.exists(dir.resolve("runs")) ? Files.readAllLines(dir.resolve("runs")).size() : 0;
    }

    @Test
    void theSameFileIsProbedOnce() throws IOException {
        Path qemu = fakeQemu("10.0.2");
        QemuBinary first = QemuBinary.probe(qemu);
        long afterFirst = runs();
        QemuBinary again = QemuBinary.probe(qemu);

        assertThat(afterFirst).as("--version and -device help").isEqualTo(2);
        assertThat(runs()).isEqualTo(afterFirst);
        // A new instance with the same answers: a hop's source and destination may be one file.
        assertThat(again).isNotSameAs(first);
        assertThat(again.version()).isEqualTo(first.version());
        assertThat(again.hasDevice("vmclock")).isTrue();
    }

    @Test
    void aReplacedFileIsProbedAgain() throws IOException {
        Path qemu = fakeQemu("10.0.2");
        QemuBinary old = QemuBinary.probe(qemu);
        fakeQemu("11.1.3");
        Files.setLastModifiedTime(qemu, FileTime.from(Instant.now().plusSeconds(5)));

        QemuBinary replaced = QemuBinary.probe(qemu);

        assertThat(replaced).isNotSameAs(old);
        assertThat(replaced.version().toString()).isEqualTo("11.1.3");
    }
}
