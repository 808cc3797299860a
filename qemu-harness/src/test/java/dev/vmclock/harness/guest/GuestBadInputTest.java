package dev.vmclock.harness.guest;

import dev.vmclock.harness.qemu.QemuGuest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad guests fail with a clear cause and leave no QEMU behind; a guest without the device still answers. */
class GuestBadInputTest {

    @TempDir
    Path tmp;

    @AfterEach
    void nothingLeftRunning() {
        assertThat(ProcessHandle.current().descendants()
                .filter(p -> p.info().command().orElse("").contains("qemu-system"))).isEmpty();
    }

    @Test
    void guestWithoutTheDeviceAnswersAndSaysSo() {
        try (QemuGuest g = QemuGuest.boot(Qemu.binary(), MachineSpec.builder().vmclock(false).build(), image())) {
            assertThat(g.acpi().present()).isFalse();
            assertThatThrownBy(g::read).isInstanceOf(AgentException.class).hasMessageContaining("refused 'read'");
        }
    }

    @Test
    void initramfsWithoutTheDriverIsABadImage() throws Exception {
        GuestImage noDriver = repacked("rm lib/modules/ptp_vmclock.ko");
        assertThatThrownBy(() -> QemuGuest.boot(Qemu.binary(), MachineSpec.builder().build(), noDriver))
                .isInstanceOfSatisfying(HarnessException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.GUEST_IMAGE);
                    assertThat(e.getMessage()).contains("did not load ptp_vmclock").contains("insmod")
                            .contains("Linux >= 6.13").doesNotContain("\n");
                });
    }

    @Test
    void silentAgentTimesOutNamingTheCauseAndKeepingTheConsole() throws Exception {
        GuestImage silent = repacked("printf '#!/bin/sh\\nexec sleep 100000\\n' > bin/vmclock-agent");
        assertThatThrownBy(() -> QemuGuest.boot(Qemu.binary(), MachineSpec.builder().build(), silent,
                Duration.ofSeconds(12)))
                .isInstanceOfSatisfying(HarnessException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.GUEST_IMAGE);
                    assertThat(e.getMessage()).contains("agent did not answer within 12 s").doesNotContain("\n");
                    Path console = Path.of(e.getMessage().replaceAll(".*guest console: (\\S+)\\)$", "$1"));
                    assertThat(console).exists();
                    assertThat(readQuietly(console)).contains("vmclock-init: ptp_vmclock loaded");
                });
    }

    private static GuestImage image() {
        return new GuestImageBuilder().ensureBuilt();
    }

    /** The built initramfs, unpacked, changed by {@code edit} (a shell command run in its root), repacked. */
    private GuestImage repacked(String edit) throws Exception {
        GuestImage good = image();
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path out = tmp.resolve("initramfs.cpio.gz");
        String script = "set -e; cd '" + root + "'; gzip -dc '" + good.initramfs() + "' | cpio -id --quiet; " + edit
                + "; find . | cpio -o -H newc --quiet | gzip -1 > '" + out + "'";
        Process p = new ProcessBuilder("bash", "-c", script).inheritIO().start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return GuestImage.of(good.kernel(), out);
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
