package dev.vmclock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.harness.qemu.HostQemuImage;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuContainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --hop-to SPEC}, bad input: one line on stderr naming the fix, the documented exit code, and nothing
 * left running (the destination's container is stopped again). Each fails before a guest image or a guest is
 * touched.
 */
class HopCommandLineTest {

    private static final String HOST_QEMU = "/usr/bin/qemu-system-x86_64";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Path outDir, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("run", "--qemu", HOST_QEMU, "--out", outDir.toString()));
        argv.addAll(List.of(args));
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(argv);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unknownSpecExitsTwoNamingTheForms(@TempDir Path dir) {
        assertThat(run(dir, "--hop-to", "no-such-qemu")).isEqualTo(2);
        assertThat(stderr()).contains("unknown --hop-to 'no-such-qemu'").contains("path to a qemu-system-x86_64")
                .contains("trixie-backports").contains("./vmclock-conformance images").hasLineCount(1);
    }

    @Test
    void missingPathExitsThree(@TempDir Path dir) {
        assertThat(run(dir, "--hop-to", "/nonexistent/qemu-system-x86_64")).isEqualTo(3);
        assertThat(stderr()).contains("--hop-to /nonexistent/qemu-system-x86_64: no executable there").hasLineCount(1);
    }

    @Test
    void destinationWithoutVmclockExitsFour(@TempDir Path dir) throws Exception {
        Path old = fakeQemu(dir, "7.2.15", "virtio-net-pci", "pc-q35-7.2");
        assertThat(run(dir, "--hop-to", old.toString())).isEqualTo(4);
        assertThat(stderr()).contains("the hop's destination QEMU 7.2.15").contains("has no vmclock device")
                .contains("--hop-to a QEMU >= 10.0").hasLineCount(1);
    }

    @Test
    void noCommonMachineTypeExitsTwo(@TempDir Path dir) throws Exception {
        Path future = fakeQemu(dir, "99.0.0", "vmclock", "pc-q35-99.0");
        assertThat(run(dir, "--hop-to", future.toString())).isEqualTo(2);
        assertThat(stderr()).contains("share no pc-q35-X.Y machine type").contains("pc-q35-10.0").contains("pc-q35-99.0")
                .hasLineCount(1);
    }

    @Test
    void unversionedMachineTypeExitsTwoBeforeAnythingStarts(@TempDir Path dir) {
        assertThat(run(dir, "--machine", "microvm", "--hop-to", "trixie-backports")).isEqualTo(2);
        assertThat(stderr()).contains("'microvm' has no versioned types").contains("--machine q35 or pc").hasLineCount(1);
    }

    /** The destination's container, started for a hop that then fails, is stopped again. */
    @Test
    void machineTypeTheSourceLacksExitsTwoAndStopsTheDestinationsContainer(@TempDir Path dir) {
        String image = HostQemuImage.ensureBuilt(QemuBinary.locate(null));
        boolean runningBefore = QemuContainer.isShared(image, List.of());
        assertThat(run(dir, "--machine", "pc-q35-99.0", "--hop-to", image)).isEqualTo(2);
        assertThat(stderr()).contains("pc-q35-99.0 is not known to the source").hasLineCount(1);
        if (!runningBefore) {
            assertThat(QemuContainer.isShared(image, List.of())).as("the destination's container still running").isFalse();
        }
    }

    /** A stand-in QEMU that answers the probes only: --version, -device help, -machine help. */
    private static Path fakeQemu(Path dir, String version, String device, String machine) throws Exception {
        Path fake = dir.resolve("qemu-" + version + "/qemu-system-x86_64");
        Files.createDirectories(fake.getParent());
        Files.writeString(fake, """
                #!/bin/sh
                case "$*" in
                  --version) echo 'QEMU emulator version %s' ;;
                  *"-device help"*) echo 'name "%s"' ;;
                  *"-machine help"*) echo 'Supported machines are:'; echo '%s           Standard PC (Q35 + ICH9, 2009)' ;;
                esac
                """.formatted(version, device, machine));
        fake.toFile().setExecutable(true);
        return fake;
    }
}
