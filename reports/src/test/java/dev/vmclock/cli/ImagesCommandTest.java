package dev.vmclock.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.qemu.DebianQemuImage;
import dev.vmclock.harness.qemu.DebianSuite;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code images}: the listing (no build), and bad names refused before anything is built. */
class ImagesCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private ImagesCommand command() {
        return new ImagesCommand(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @Test
    void listsTheHostAndEverySuiteWithTagAndState() {
        assertThat(command().run(List.of())).isZero();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(0)).startsWith("NAME").contains("BUILT", "TAG", "VERSIONS");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("host ").contains("vmclock-conformance/host-qemu:"));
        for (DebianSuite s : DebianSuite.values()) {
            String tag = DebianQemuImage.shipped().tag(s);
            String built = DebianQemuImage.isBuilt(tag) ? "yes" : "no";
            assertThat(lines).anySatisfy(l -> assertThat(l.split("\\s+")).startsWith(s.suite(), built, tag));
        }
    }

    @Test
    void unknownNameIsAUsageErrorBeforeAnyBuild() {
        HarnessException e = catchThrowableOfType(HarnessException.class,
                () -> command().run(List.of("build", "trixie-backports", "sid")));
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).startsWith("unknown Debian suite 'sid'");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void buildWithoutNamesIsAUsageError() {
        HarnessException e = catchThrowableOfType(HarnessException.class, () -> command().run(List.of("build")));
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).contains("host, bookworm-backports, trixie, trixie-backports");
    }

    @Test
    void aBuildDirectoryWithoutQemuIsExit3BeforeDockerIsAsked(@org.junit.jupiter.api.io.TempDir java.nio.file.Path empty) {
        ImagesCommand c = command();
        c.buildDir = empty;
        HarnessException e = catchThrowableOfType(HarnessException.class, () -> c.run(List.of("build")));
        assertThat(e.exitCode()).isEqualTo(ExitCode.QEMU_NOT_FOUND);
        assertThat(e.getMessage()).startsWith("no qemu-system-x86_64 in " + empty).doesNotContain("\n");
    }

    @Test
    void builtImageListsItsRecordedVersions() {
        String tag = DebianQemuImage.shipped().tag(DebianSuite.TRIXIE_BACKPORTS);
        // Reuses the image when a harness test built it; builds it once otherwise.
        assertThat(command().run(List.of("build", "trixie-backports"))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("trixie-backports: " + tag)
                .contains("qemu-system-x86 1:11.1.");
    }
}
