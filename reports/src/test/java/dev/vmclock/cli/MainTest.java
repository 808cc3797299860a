package dev.vmclock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.harness.qemu.HostQemuImage;
import dev.vmclock.harness.qemu.QemuBinary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: documented exit codes and one-line errors, and a real page read. */
class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of(args));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pageJsonCarriesTheDecodedPage(@TempDir Path dir) throws Exception {
        assertThat(run("page", "--json", "--out", dir.toString())).isZero();
        String json = out.toString(StandardCharsets.UTF_8);
        assertThat(json).contains("\"magic\" : \"0x4b4c4356 (VCLK)\"").contains("\"source\" : \"ACPI_CRS\"");
        assertThat(Files.size(dir.resolve("page.bin"))).isEqualTo(4096);
        assertThat(dir.resolve("page.json")).exists();
    }

    @Test
    void doctorNamesQemuVersionAndAccelerator() {
        assertThat(run("doctor", "--accel", "tcg")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("vmclock:     present").contains("tcg (forced with --accel tcg)");
    }

    @Test
    void doctorListsTheProviders() {
        assertThat(run("doctor", "--accel", "tcg")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("providers:").containsPattern("(?m)^  qemu .*\\[--vmm\\]$");
    }

    @Test
    void unknownVmmExitsTwoNamingTheKnownOnes(@TempDir Path dir) {
        assertThat(run("run", "--vmm", "bhyve", "--out", dir.resolve("out").toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("vmclock-conformance: unknown --vmm 'bhyve': give one of qemu").hasLineCount(1);
        assertThat(dir.resolve("out")).doesNotExist();
        assertThat(run("doctor", "--vmm", "bhyve")).isEqualTo(2);
    }

    @Test
    void anAdapterThatIsNoFileExitsTwoInOneLine(@TempDir Path dir) {
        assertThat(run("run", "--vmm", "exec:/nonexistent", "--out", dir.resolve("out").toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("vmclock-conformance: --vmm exec:/nonexistent: no such file; give the path of"
                + " the adapter's executable").hasLineCount(1);
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void anAdapterOfAnotherProtocolVersionExitsTwoLeavingNothingRunning(@TempDir Path dir) throws Exception {
        // Answers hello as v2 and has a child in its process group: both must be gone when run returns.
        Path adapter = dir.resolve("adapter-v2");
        Files.writeString(adapter, "#!/bin/sh\necho $$ > " + dir.resolve("adapter.pid") + "\n"
                + "sleep 300 >/dev/null &\necho $! > " + dir.resolve("child.pid") + "\nread line\n"
                + "echo '{\"id\": 1, \"ok\": true, \"protocol\": \"vmclock-conformance/adapter/v2\", "
                + "\"capabilities\": [], \"devices\": [\"vmclock\"], \"implementation\": {\"vmm\": \"fake\"}}'\n"
                + "sleep 300\n");
        adapter.toFile().setExecutable(true);
        assertThat(run("run", "--vmm", "exec:" + adapter, "--out", dir.resolve("out").toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("vmclock-conformance: --vmm exec:" + adapter + ": the adapter speaks protocol"
                + " 'vmclock-conformance/adapter/v2', the suite speaks vmclock-conformance/adapter/v1").hasLineCount(1);
        assertThat(dir.resolve("out")).doesNotExist();
        for (String pid : List.of("adapter.pid", "child.pid")) {
            long p = Long.parseLong(Files.readString(dir.resolve(pid)).strip());
            assertThat(running(p)).as(pid + " " + p + " still running").isFalse();
        }
    }

    @Test
    void aVirtioRtcBackEndThatIsNoFileExitsNineInOneLine(@TempDir Path dir) {
        // --qemu: the host's QEMU, so that no image is built for a run that must not start.
        assertThat(run("run", "--qemu", QemuBinary.locate(null).path().toString(), "--vhost-user-rtc", "/nonexistent/rtc",
                "--out", dir.resolve("out").toString())).isEqualTo(9);
        assertThat(stderr()).hasLineCount(1);
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aVirtioRtcBackEndThatExitsAtStartExitsNineLeavingNothingRunning(@TempDir Path dir) throws Exception {
        Path backend = dir.resolve("rtc");
        Files.writeString(backend, "#!/bin/sh\n[ \"$1\" = --version ] && { echo 'fake-rtc 0.1'; exit 0; }\n"
                + "echo $$ > " + dir.resolve("rtc.pid") + "\necho 'cannot listen' >&2\nexit 1\n");
        backend.toFile().setExecutable(true);
        assertThat(run("run", "--vhost-user-rtc", backend.toString(), "--out", dir.resolve("out").toString())).isEqualTo(9);
        assertThat(stderr()).contains("the virtio-rtc back end rtc failed at start: it exited with status 1: cannot listen");
        assertThat(stderr().lines().filter(l -> !l.contains("container image"))).hasSize(1);
        assertThat(dir.resolve("out")).doesNotExist();
        assertThat(running(Long.parseLong(Files.readString(dir.resolve("rtc.pid")).strip()))).isFalse();
    }

    /** Whether {@code pid} runs: a zombie (killed, its reaper not yet there) does not, though Java calls it alive. */
    private static boolean running(long pid) throws java.io.IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String s = Files.readString(stat);
            return !List.of("Z", "X").contains(s.substring(s.lastIndexOf(')') + 2).split(" ")[0]);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    @Test
    void missingQemuExitsThree() {
        assertThat(run("page", "--qemu", "/nonexistent/qemu")).isEqualTo(3);
        assertThat(stderr()).startsWith("vmclock-conformance: QEMU not found at /nonexistent/qemu").hasLineCount(1);
    }

    @Test
    void qemuWithoutVmclockExitsFour(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("qemu-system-x86_64");
        Files.writeString(fake, "#!/bin/sh\n[ \"$1\" = --version ] && echo 'QEMU emulator version 7.2.15' || echo 'name \"virtio-net-pci\"'\n");
        fake.toFile().setExecutable(true);
        assertThat(run("page", "--qemu", fake.toString())).isEqualTo(4);
        assertThat(stderr()).contains("has no vmclock device").contains("QEMU >= 10.0").hasLineCount(1);
    }

    @Test
    void notAQemuExitsThreeWithOneLine() {
        assertThat(run("doctor", "--qemu", "/bin/true")).isEqualTo(3);
        assertThat(stderr()).hasLineCount(1);
    }

    @Test
    void containerTargetIsProbedInsideTheImage() {
        String image = HostQemuImage.ensureBuilt(QemuBinary.locate(null));
        assertThat(run("doctor", "--container", image, "--accel", "tcg")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("container:   container image " + image)
                .contains("vmclock:     present");
        assertThat(run("page", "--container", "vmclock-conformance/no-such-image:1")).isEqualTo(3);
        assertThat(stderr()).contains("no-such-image").contains("nothing is pulled").hasLineCount(1);
    }

    @Test
    void unwritableOutputExitsSix() {
        assertThat(run("page", "--out", "/proc/vmclock-conformance-test")).isEqualTo(6);
        assertThat(stderr()).contains("cannot write to /proc/vmclock-conformance-test").contains("--out").hasLineCount(1);
    }

    @Test
    void badOptionsExitTwo() {
        assertThat(run("page", "--frobnicate")).isEqualTo(2);
        assertThat(run("page", "--accel", "hvf")).isEqualTo(2);
        assertThat(run("page", "--machine")).isEqualTo(2);
        assertThat(run("no-such-command")).isEqualTo(2);
        assertThat(stderr()).contains("unknown option --frobnicate").contains("--accel must be auto, kvm or tcg");
    }

    @Test
    void forcedKvmThatCannotWorkExitsFive(@TempDir Path dir) throws Exception {
        // A kernel that is not a kernel: the KVM boot probe cannot succeed with it, wherever this runs.
        Path notAKernel = Files.writeString(dir.resolve("vmlinuz"), "not a kernel");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.vmclock.harness.qemu.AcceleratorProbe.choose(
                        dev.vmclock.harness.qemu.QemuBinary.locate(null),
                        java.util.Optional.of(dev.vmclock.harness.qemu.Accelerator.KVM), java.util.Optional.of(notAKernel)))
                .isInstanceOfSatisfying(dev.vmclock.harness.HarnessException.class,
                        e -> assertThat(e.exitCode().code()).isEqualTo(5));
    }
}
