package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Bad input to the image builder: one line naming the cause and the fix, and nothing left behind. */
class DebianQemuImageFailureTest {

    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

    @Test
    void unknownSuiteNamesTheKnownOnes() {
        HarnessException e = catchThrowableOfType(HarnessException.class, () -> DebianSuite.parse("sid-backports"));
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).isEqualTo("unknown Debian suite 'sid-backports'; known: bookworm-backports, trixie, trixie-backports");
    }

    @Test
    void badKernelAbiIsAUsageError() {
        HarnessException e = catchThrowableOfType(HarnessException.class, () -> DebianQemuImage.shipped().kbuild("latest"));
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).contains("bad kernel ABI 'latest'").contains("7.3.4+deb13").doesNotContain("\n");
    }

    @Test
    void unreachableMirrorFailsAtOnceAndLeavesNothing() throws Exception {
        // A repository of its own, so no cached base lets the build skip the mirror.
        DebianQemuImage images = DebianQemuImage.shipped().withRepository("vmclock-conformance-test-unreachable")
                .withMirror("http://127.0.0.1:9/");
        List<String> tmpBefore = leftovers();
        long start = System.nanoTime();

        HarnessException e = catchThrowableOfType(HarnessException.class, () -> images.ensureBuilt(DebianSuite.TRIXIE));

        assertThat(e.exitCode()).isEqualTo(ExitCode.QEMU_NOT_FOUND);
        assertThat(e.getMessage()).doesNotContain("\n")
                .contains("cannot build vmclock-conformance-test-unreachable/qemu-debian:trixie-")
                .contains("http://127.0.0.1:9").contains("does not serve trixie").contains("set VMCLOCK_DEBIAN_MIRROR");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        assertThat(docker("images", "-q", "vmclock-conformance-test-unreachable/*")).isBlank();
        assertThat(leftovers()).isEqualTo(tmpBefore);
    }

    @Test
    void missingPackageNamesItAndLeavesNoContainer() throws Exception {
        DebianQemuImage images = DebianQemuImage.shipped();
        String base = images.baseTag("trixie");
        List<String> tmpBefore = leftovers();
        // Containers of images built on the base (the QEMU 11.1 target of an earlier test) may be running: only
        // what the failed build leaves counts.
        String containersBefore = docker("ps", "-aq", "--filter", "ancestor=" + base);

        HarnessException e = catchThrowableOfType(HarnessException.class, () -> images.kbuild("0.0.1+deb13"));

        assertThat(e.exitCode()).isEqualTo(ExitCode.GUEST_IMAGE);
        assertThat(e.getMessage()).doesNotContain("\n")
                .contains("package linux-headers-0.0.1+deb13-cloud-amd64 is not in trixie-backports")
                .contains("pick a kernel ABI");
        assertThat(DebianQemuImage.isBuilt(images.kbuildTag("0.0.1+deb13"))).isFalse();
        assertThat(docker("ps", "-aq", "--filter", "ancestor=" + base)).isEqualTo(containersBefore);
        assertThat(leftovers()).isEqualTo(tmpBefore);
    }

    /** The recipe's work and extraction directories in the temp directory. */
    private static List<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(TMP)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("vmclock-debian-image.") && !n.endsWith(".lock") || n.startsWith("vmclock-image-recipe-"))
                    .sorted().toList();
        }
    }

    private static String docker(String... args) throws IOException {
        List<String> argv = new java.util.ArrayList<>(List.of("docker"));
        argv.addAll(List.of(args));
        return new Command(argv).run(Duration.ofSeconds(20)).stdout().strip();
    }
}
