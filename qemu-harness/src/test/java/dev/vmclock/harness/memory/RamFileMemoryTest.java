package dev.vmclock.harness.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layout mapping on a synthetic RAM file whose every 8-byte word holds its own file offset. */
class RamFileMemoryTest {

    private static final long FOUR_GIB = RamLayout.FOUR_GIB;

    @TempDir
    Path dir;

    /** 64 KiB below 4 GiB, 32 KiB above: small stand-ins for the real split. */
    private final RamLayout split = new RamLayout(0x10000, 0x18000);

    @Test
    void belowFourGibIsAtItsOwnOffset() throws IOException {
        try (RamFileMemory m = new RamFileMemory(file(split.total()), split)) {
            assertThat(words(m.read(0x0, 16))).containsExactly(0x0, 0x8);
            assertThat(words(m.read(0xfff8, 8))).containsExactly(0xfff8);
        }
    }

    @Test
    void aboveFourGibFollowsTheBelowPart() throws IOException {
        try (RamFileMemory m = new RamFileMemory(file(split.total()), split)) {
            assertThat(words(m.read(FOUR_GIB, 8))).containsExactly(0x10000);
            assertThat(words(m.read(FOUR_GIB + 0x7ff8, 8))).containsExactly(0x17ff8);
        }
    }

    @Test
    void aRangeIntoTheHoleOrPastTheEndIsRefusedNamingIt() throws IOException {
        try (RamFileMemory m = new RamFileMemory(file(split.total()), split)) {
            assertThatThrownBy(() -> m.read(0xfff8, 16)).isInstanceOf(NotInRamException.class)
                    .hasMessageContaining("0xfff8+0x10").hasMessageContaining("0x10000 is not");
            assertThatThrownBy(() -> m.read(0xfeffb000L, 0x1000)).isInstanceOf(NotInRamException.class)
                    .hasMessageContaining("0xfeffb000+0x1000");
            assertThatThrownBy(() -> m.read(FOUR_GIB - 8, 16)).isInstanceOf(NotInRamException.class)
                    .hasMessageContaining(String.format("0x%x is not", FOUR_GIB - 8));
            assertThatThrownBy(() -> m.read(FOUR_GIB + 0x7ff8, 16)).isInstanceOf(NotInRamException.class)
                    .hasMessageContaining(String.format("0x%x is not", FOUR_GIB + 0x8000));
            assertThatThrownBy(() -> m.read(-8, 8)).isInstanceOf(NotInRamException.class);
        }
    }

    @Test
    void ramEndingAtFourGibIsContiguousAcrossTheSplit() throws IOException {
        // max-ram-below-4g=4G makes below-4g RAM end exactly where the above part starts: one run in both spaces.
        RamLayout full = new RamLayout(FOUR_GIB, FOUR_GIB + 0x1000);
        try (RamFileMemory m = new RamFileMemory(sparse(full.total(), FOUR_GIB - 8, FOUR_GIB), full)) {
            assertThat(words(m.read(FOUR_GIB - 8, 16))).containsExactly(FOUR_GIB - 8, FOUR_GIB);
        }
    }

    @Test
    void aFileShorterThanTheRamIsRefused() throws IOException {
        Path f = file(0x8000);
        assertThatThrownBy(() -> new RamFileMemory(f, split)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fewer than the guest's RAM");
    }

    @Test
    void qemuSplitsAsMeasuredOn10() {
        long mib = 1L << 20;
        // info mtree -f on QEMU 10.0.2 (see FACTS.md): q35 splits from 2816 MiB at 2 GiB, pc from 3584 MiB at 3 GiB.
        assertThat(RamLayout.ofQemuMachine("q35", 256 * mib)).isEqualTo(new RamLayout(256 * mib, 256 * mib));
        assertThat(RamLayout.q35(2815 * mib).aboveFourGiB()).isZero();
        assertThat(RamLayout.q35(2816 * mib)).isEqualTo(new RamLayout(2048 * mib, 2816 * mib));
        assertThat(RamLayout.ofQemuMachine("pc-q35-10.0", 4096 * mib).fileOffset(FOUR_GIB).getAsLong())
                .isEqualTo(0x80000000L);
        assertThat(RamLayout.pc(3072 * mib).aboveFourGiB()).isZero();
        assertThat(RamLayout.ofQemuMachine("pc", 3584 * mib)).isEqualTo(new RamLayout(3072 * mib, 3584 * mib));
        assertThat(RamLayout.ofQemuMachine("pc-i440fx-10.0", 4096 * mib).fileOffset(FOUR_GIB).getAsLong())
                .isEqualTo(0xc0000000L);
        assertThat(RamLayout.q35(256 * mib).fileOffset(0xfeffb000L)).isEmpty();
        assertThatThrownBy(() -> RamLayout.ofQemuMachine("microvm", 256 * mib))
                .hasMessageContaining("no known RAM layout for QEMU machine type microvm");
    }

    private Path file(long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        for (long o = 0; o < size; o += 8) {
            b.putLong(o);
        }
        return Files.write(dir.resolve("ram-" + size), b.array());
    }

    /** A sparse file of {@code size} bytes with only the words at {@code offsets} written. */
    private Path sparse(long size, long... offsets) throws IOException {
        Path f = dir.resolve("sparse");
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            for (long o : offsets) {
                ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, o), o);
            }
            ch.write(ByteBuffer.allocate(1), size - 1);
        }
        return f;
    }

    private static long[] words(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[bytes.length / 8];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getLong();
        }
        return out;
    }
}
