package dev.vmclock.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The matrix file and options → cells (pure logic: nothing runs). */
class MatrixFileTest {

    @TempDir
    Path dir;

    private List<MatrixCell> cells(String yaml, String... args) throws Exception {
        Path f = dir.resolve("matrix.yaml");
        Files.writeString(f, yaml);
        MatrixCommand c = new MatrixCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        new CommandLine(c).parseArgs(args);
        return c.cells(MatrixFile.read(f));
    }

    @Test
    void implementationsTimesMachinesThenHops() throws Exception {
        List<MatrixCell> cells = cells("""
                implementations:
                  host-10.0: /usr/bin/qemu-system-x86_64
                  qemu-11.1: trixie-backports
                machines: [q35, pc]
                hops:
                  - host-10.0 -> qemu-11.1
                  - {from: qemu-11.1, to: host-10.0, machine: pc-q35-11.1}
                select: VMC-LAYOUT,DISRUPT
                accel: tcg
                """);
        assertThat(cells).extracting(MatrixCell::name).containsExactly("host-10.0--q35", "host-10.0--pc", "qemu-11.1--q35",
                "qemu-11.1--pc", "hop--host-10.0--to--qemu-11.1--q35", "hop--qemu-11.1--to--host-10.0--pc-q35-11.1");
        MatrixCell hop = cells.get(4);
        assertThat(hop.implementation().spec()).isEqualTo("/usr/bin/qemu-system-x86_64");
        assertThat(hop.hopTo()).map(MatrixImplementation::spec).contains("trixie-backports");
        assertThat(hop.select()).containsExactly("VMC-LAYOUT", "DISRUPT");
        assertThat(hop.runArgs(dir, new MatrixImplementation.Resolved("--qemu", "/q"),
                Optional.of(new MatrixImplementation.Resolved("--container", "img:1"))))
                .containsSubsequence("run", "--out").containsSubsequence("--machine", "q35", "--accel", "tcg")
                .containsSubsequence("--qemu", "/q", "--select", "VMC-LAYOUT,DISRUPT", "--hop-to", "img:1");
    }

    @Test
    void aListOfSpecsIsNamedAfterThemAndOptionsOverrideTheFile() throws Exception {
        List<MatrixCell> cells = cells("""
                implementations: [/opt/qemu/bin/qemu-system-x86_64, vendor/qemu:1.2, build-dir:/src/qemu/build]
                """);
        assertThat(cells).extracting(MatrixCell::name).containsExactly("qemu-system-x86_64--q35", "vendor-qemu-1.2--q35",
                "build-build--q35");
        assertThat(cells("implementations: [trixie]\n", "--impl", "a=trixie,bookworm-backports", "--machines", "pc",
                "--select", "VRTC")).extracting(MatrixCell::name).containsExactly("a--pc", "bookworm-backports--pc");
    }

    @Test
    void cellSelectsOneJobOfTheMatrix() throws Exception {
        assertThat(cells("implementations: {a: trixie, b: trixie-backports}\nmachines: [q35, pc]\n", "--cell", "b--pc"))
                .extracting(MatrixCell::name).containsExactly("b--pc");
        HarnessException e = catchThrowableOfType(HarnessException.class,
                () -> cells("implementations: {a: trixie}\n", "--cell", "a--microvm"));
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).startsWith("no cell a--microvm in the matrix; its cells: a--q35");
    }

    @Test
    void badFilesAreOneLineUsageErrors() {
        for (String yaml : List.of("implementation: [trixie]\n", "- trixie\n", "implementations: [trixie]\nhops: [trixie]\n",
                "implementations: [trixie, trixie]\n", "machines: [q35]\n")) {
            HarnessException e = catchThrowableOfType(HarnessException.class, () -> cells(yaml));
            assertThat(e).as(yaml).isNotNull();
            assertThat(e.exitCode()).as(yaml).isEqualTo(ExitCode.USAGE);
            assertThat(e.getMessage()).as(yaml).doesNotContain("\n");
        }
    }
}
