package dev.vmclock.images;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recipe's {@code extract-vmlinux.sh} on small bzImage look-alikes: a compressed ELF behind junk (and behind a
 * false magic), with the PVH note, without it, with the note under another owner. Needs gcc and the compressors the
 * recipe itself needs (build-image.sh checks for them).
 */
class ExtractVmlinuxTest {

    @TempDir
    Path tmp;
    private Path script;

    @BeforeEach
    void extractScript() throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(GuestImageBuilder.RESOURCE_BASE + "extract-vmlinux.sh")) {
            script = Files.write(tmp.resolve("extract-vmlinux.sh"), in.readAllBytes());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "xz", "gzip"})
    void findsTheElfBehindItsMagicAndReadsThePvhEntry(String compressor) throws Exception {
        Path elf = elf("Xen", 18, 0x1000000);
        Path bz = bzImage(elf, compressor);
        Result r = run(bz, tmp.resolve("vmlinux"));
        assertThat(r.rc).as(r.err).isZero();
        // The payload starts after 4096 bytes of set-up and a false zstd magic, which must be skipped.
        assertThat(r.out.strip()).isEqualTo(compressor + " " + 4106 + " 0x1000000");
        assertThat(tmp.resolve("vmlinux")).hasSameBinaryContentAs(elf);
    }

    @Test
    void anElfWithoutThePvhNoteFailsInOneLine() throws Exception {
        Result r = run(bzImage(elf("Xen", 17, 0x1000000), "zstd"), tmp.resolve("vmlinux"));
        assertThat(r.rc).isEqualTo(8);
        assertThat(r.err.strip()).startsWith("ERROR: ").contains("no PVH entry note").contains("CONFIG_PVH=y")
                .doesNotContain("\n");
    }

    @Test
    void aType18NoteOfAnotherOwnerIsNotThePvhNote() throws Exception {
        Result r = run(bzImage(elf("Linux", 18, 0x1000000), "zstd"), tmp.resolve("vmlinux"));
        assertThat(r.rc).isEqualTo(8);
        assertThat(r.err).contains("no PVH entry note");
    }

    @Test
    void aFileWithNoCompressedElfFailsInOneLine() throws Exception {
        Path junk = Files.write(tmp.resolve("junk"), new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 1, 2, 3, 4});
        Result r = run(junk, tmp.resolve("vmlinux"));
        assertThat(r.rc).isEqualTo(8);
        assertThat(r.err.strip()).startsWith("ERROR: no ELF kernel found in").contains("tried: zstd").doesNotContain("\n");
        assertThat(tmp.resolve("vmlinux")).doesNotExist();
    }

    /** A static x86-64 executable carrying one ELF note (owner, type, 32-bit value). */
    private Path elf(String owner, int type, int value) throws Exception {
        Path src = Files.writeString(tmp.resolve("note-" + owner + type + ".s"), String.join("\n",
                ".section .note.Xen,\"a\",@note", ".balign 4",
                ".long " + (owner.length() + 1) + ", 4, " + type, ".asciz \"" + owner + "\"", ".balign 4",
                ".long " + value, ".text", ".globl _start", "_start: hlt", ""));
        Path out = tmp.resolve("elf-" + owner + type);
        exec(List.of("gcc", "-nostdlib", "-static", "-Wl,--build-id=none", "-o", out.toString(), src.toString()));
        return out;
    }

    /** 4096 bytes of set-up, a false zstd magic, then the compressed ELF and some trailing bytes. */
    private Path bzImage(Path elf, String compressor) throws Exception {
        Path packed = tmp.resolve(elf.getFileName() + "." + compressor);
        exec(List.of("sh", "-c", compressor + " -c < '" + elf + "' > '" + packed + "'"));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[4096]);
        b.write(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0, 0, 0});
        b.write(Files.readAllBytes(packed));
        b.write(new byte[64]);
        return Files.write(tmp.resolve("bzImage-" + packed.getFileName()), b.toByteArray());
    }

    private Result run(Path bz, Path out) throws Exception {
        Process p = new ProcessBuilder("bash", script.toString(), bz.toString(), out.toString()).start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String e = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), o, e);
    }

    private static void exec(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + o).isZero();
    }

    private record Result(int rc, String out, String err) {
    }
}
