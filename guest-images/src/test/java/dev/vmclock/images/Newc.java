package dev.vmclock.images;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Lists a gzip'd newc cpio archive, including archives concatenated the way the kernel reads them. */
final class Newc {

    record Entry(String name, int mode, long size, int rdevMajor, int rdevMinor, long mtime) {
        boolean isRegularFile() {
            return (mode & 0170000) == 0100000;
        }

        boolean isCharDevice() {
            return (mode & 0170000) == 0020000;
        }
    }

    private Newc() {
    }

    static List<Entry> list(Path gz) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(gz)))) {
            long pos = 0;
            while (true) {
                int c;
                // zero padding between archives
                in.mark(1);
                while ((c = in.read()) == 0) {
                    pos++;
                    in.mark(1);
                }
                if (c < 0) {
                    return entries;
                }
                in.reset();
                byte[] hdr = in.readNBytes(110);
                if (hdr.length != 110) {
                    throw new EOFException("truncated header at " + pos);
                }
                String h = new String(hdr, StandardCharsets.US_ASCII);
                if (!h.startsWith("070701")) {
                    throw new IOException("bad magic at " + pos + ": " + h.substring(0, 6));
                }
                int mode = field(h, 1);
                long mtime = field(h, 5);
                long size = field(h, 6);
                int namesize = field(h, 11);
                byte[] name = in.readNBytes(namesize);
                pos += 110 + namesize;
                skip(in, pad(pos));
                pos += pad(pos);
                String n = new String(name, 0, Math.max(0, namesize - 1), StandardCharsets.UTF_8);
                skip(in, size);
                pos += size;
                skip(in, pad(pos));
                pos += pad(pos);
                if (!n.equals("TRAILER!!!")) {
                    entries.add(new Entry(n, mode, size, field(h, 9), field(h, 10), mtime));
                }
            }
        }
    }

    private static int field(String h, int index) {
        return (int) Long.parseLong(h.substring(6 + 8 * index, 14 + 8 * index), 16);
    }

    private static long pad(long pos) {
        return (4 - pos % 4) % 4;
    }

    private static void skip(InputStream in, long n) throws IOException {
        in.skipNBytes(n);
    }
}
