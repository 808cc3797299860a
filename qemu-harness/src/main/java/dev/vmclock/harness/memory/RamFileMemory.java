package dev.vmclock.harness.memory;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * Guest-physical memory read from a file that holds the guest's RAM, laid out as {@link RamLayout} says: QEMU's
 * {@code memory-backend-file,share=on}, Firecracker's snapshot memory file, Cloud Hypervisor's shared memory. No QMP,
 * no VMM round trip: a positional read of the file (the VMM's mapping of it, so a running guest's writes show).
 *
 * <p>Rules: a range must be RAM from end to end, else {@link NotInRamException} names it (nothing is read). A range
 * may span the split only where RAM is contiguous there (below 4 GiB ending exactly at 4 GiB). Reads are not atomic
 * against a running guest, like any host view. The file must be at least {@link RamLayout#total} bytes.
 */
public final class RamFileMemory implements PhysicalMemory, AutoCloseable {

    private final Path file;
    private final RamLayout layout;
    private final FileChannel channel;

    public RamFileMemory(Path file, RamLayout layout) {
        this.file = file;
        this.layout = layout;
        try {
            long size = Files.size(file);
            if (size < layout.total()) {
                throw new IllegalArgumentException(String.format("%s holds 0x%x bytes, fewer than the guest's RAM"
                        + " (%s, 0x%x bytes)", file, size, layout, layout.total()));
            }
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "cannot open the guest RAM file " + file + ": "
                    + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    public RamLayout layout() {
        return layout;
    }

    @Override
    public byte[] read(long address, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        // Check the whole range first, so a refused read reads nothing.
        for (long at = address, end = address + length; at < end; ) {
            if (layout.fileOffset(at).isEmpty()) {
                throw new NotInRamException(address, length, at, layout);
            }
            at = layout.runEnd(at);
        }
        ByteBuffer buf = ByteBuffer.allocate(length);
        try {
            while (buf.hasRemaining()) {
                long at = address + buf.position();
                OptionalLong offset = layout.fileOffset(at);
                int run = (int) Math.min(buf.remaining(), layout.runEnd(at) - at);
                ByteBuffer part = buf.slice(buf.position(), run);
                long pos = offset.getAsLong();
                while (part.hasRemaining()) {
                    if (channel.read(part, pos + part.position()) < 0) {
                        throw new HarnessException(ExitCode.HARNESS_ERROR, String.format("%s ended at 0x%x while"
                                + " reading guest-physical 0x%x: truncated?", file, pos + part.position(), at));
                    }
                }
                buf.position(buf.position() + run);
            }
        } catch (IOException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "cannot read the guest RAM file " + file + ": "
                    + e.getMessage(), e);
        }
        return buf.array();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    @Override
    public String toString() {
        return "RamFileMemory[" + file + ", " + layout + "]";
    }
}
