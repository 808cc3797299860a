package dev.vmclock.conformance.vm;

import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import dev.vmclock.harness.events.Transcript;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * What one conformance test observed, written as it is observed into the test's own directory: the
 * pages (raw bytes and decoded), the QMP lines of each event, notes, and the guest console on failure.
 * Every verdict can be reproduced from this.
 */
public final class Evidence {

    /** The file events write what was asked of the hypervisor to (reports read it by this name). */
    public static final String TRANSCRIPT = "transcript.txt";

    private final Path dir;

    public Evidence(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create evidence directory " + dir, e);
        }
    }

    public Path directory() {
        return dir;
    }

    /** {@code name.bin} (raw bytes) and {@code name.txt} (field by field). */
    public void page(String name, VmclockPage page) {
        write(name + ".bin", page.raw());
        StringBuilder sb = new StringBuilder();
        page.describe().forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        write(name + ".txt", sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A section of {@value #TRANSCRIPT}: what was asked of the hypervisor (QEMU: QMP lines) under {@code name}. */
    public void transcript(String name, List<Transcript.Line> lines) {
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l).append('\n'));
        append(TRANSCRIPT, "## " + name + "\n" + sb);
    }

    public void note(String text) {
        append("notes.txt", text + "\n");
    }

    /** One virtio exchange (request and response bytes per descriptor, used length, device status). */
    public void exchange(String text) {
        append("exchanges.txt", text + "\n");
    }

    public void text(String name, String content) {
        write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A note naming the fields that differ between two pages. */
    public void diff(String label, VmclockPage before, VmclockPage after) {
        List<PageField> changed = before.changedFields(after);
        StringBuilder sb = new StringBuilder(label + ": ");
        if (changed.isEmpty()) {
            sb.append("no field changed");
        }
        for (PageField f : changed) {
            sb.append(f.cName()).append(' ').append(f.format(before.raw())).append(" -> ").append(f.format(after.raw()))
                    .append("; ");
        }
        note(sb.toString());
    }

    private void write(String name, byte[] bytes) {
        try {
            Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void append(String name, String text) {
        try {
            Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
