package dev.vmclock.report;

import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.PageFormatException;
import dev.vmclock.harness.page.VmclockPage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One test's evidence directory, prepared for the HTML page: for a VMClock test, page pairs
 * ({@code X-before.bin} and {@code X-after.bin}) as field-level diffs and single pages as field lists; for
 * any other spec's test its {@code .bin} files as hex dumps; for every test excerpts of the QMP transcript,
 * notes and console. Pages are decoded here with {@link VmclockPage} so the browser needs no knowledge of
 * the layout; the texts are cut to a size a page can carry.
 */
public record EvidenceView(List<PageDiff> diffs, List<PageSnapshot> pages, List<BinaryDump> binaries,
                           List<String> problems, Excerpt qmp, Excerpt notes, Excerpt console) {

    static final int QMP_EVENT_LINES = 120;
    static final int QMP_TRANSCRIPT_TAIL = 40;
    static final int CONSOLE_TAIL = 60;
    static final int NOTES_LINES = 200;
    static final int HEX_BYTES = 256;

    /** One field in a diff: offset, value before and after, whether it changed. */
    public record FieldRow(String field, String offset, String before, String after, boolean changed) {
    }

    /**
     * An event's pages side by side; {@code changed} names the fields that differ, in page order;
     * {@code tailDiffers} says bytes past the defined structure (0x70..) differ too.
     */
    public record PageDiff(String name, List<FieldRow> rows, List<String> changed, boolean tailDiffers) {
    }

    public record PageSnapshot(String name, Map<String, String> fields) {
    }

    /** A binary file the page does not decode: its size and the first {@value #HEX_BYTES} bytes in hex. */
    public record BinaryDump(String name, long size, String hex) {
    }

    /** Text shown in the page, and how many lines of the file were left out (read the file for them). */
    public record Excerpt(String text, int omittedLines) {
        static final Excerpt NONE = new Excerpt("", 0);
    }

    /** The evidence of a VMClock test: its {@code .bin} files are VMClock pages. */
    public static EvidenceView read(Path dir) {
        return read(dir, Specs.VMCLOCK);
    }

    /** The evidence of a test of {@code spec} (a clause id prefix); only VMClock's pages are decoded. */
    public static EvidenceView read(Path dir, String spec) {
        Map<String, Path> bins = new TreeMap<>();
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".bin")).forEach(p -> bins.put(stem(p), p));
            } catch (IOException e) {
                return new EvidenceView(List.of(), List.of(), List.of(),
                        List.of("cannot list " + dir + ": " + e.getMessage()), Excerpt.NONE, Excerpt.NONE, Excerpt.NONE);
            }
        }
        List<PageDiff> diffs = new ArrayList<>();
        List<PageSnapshot> pages = new ArrayList<>();
        List<BinaryDump> binaries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (!spec.equals(Specs.VMCLOCK)) {
            bins.forEach((name, file) -> dump(file, problems).ifPresent(binaries::add));
            bins.clear();
        }
        for (Map.Entry<String, Path> e : bins.entrySet()) {
            String name = e.getKey();
            if (name.endsWith("-after") && bins.containsKey(before(name))) {
                continue; // shown with its -before page
            }
            Optional<VmclockPage> page = decode(e.getValue(), problems);
            if (name.endsWith("-before") && bins.containsKey(after(name))) {
                Optional<VmclockPage> later = decode(bins.get(after(name)), problems);
                if (page.isPresent() && later.isPresent()) {
                    diffs.add(diff(name.substring(0, name.length() - "-before".length()), page.get(), later.get()));
                }
            } else {
                page.ifPresent(p -> pages.add(new PageSnapshot(name, p.describe())));
            }
        }
        return new EvidenceView(diffs, pages, binaries, problems, qmp(transcript(dir)),
                head(dir.resolve("notes.txt"), NOTES_LINES), tail(dir.resolve("console.txt"), CONSOLE_TAIL));
    }

    /** The events' transcript: transcript.txt, or qmp.txt in evidence written before the provider seam. */
    private static Path transcript(Path dir) {
        Path current = dir.resolve("transcript.txt");
        return Files.exists(current) ? current : dir.resolve("qmp.txt");
    }

    static PageDiff diff(String name, VmclockPage before, VmclockPage after) {
        List<PageField> changed = before.changedFields(after);
        Map<String, String> b = before.describe();
        Map<String, String> a = after.describe();
        List<FieldRow> rows = new ArrayList<>();
        for (PageField f : PageField.values()) {
            rows.add(new FieldRow(f.cName(), String.format("0x%02x", f.offset()), b.get(f.cName()), a.get(f.cName()),
                    changed.contains(f)));
        }
        return new PageDiff(name, rows, changed.stream().map(PageField::cName).toList(), before.tailDiffers(after));
    }

    private static Optional<BinaryDump> dump(Path bin, List<String> problems) {
        try {
            byte[] bytes = Files.readAllBytes(bin);
            HexFormat hex = HexFormat.ofDelimiter(" ");
            StringBuilder rows = new StringBuilder();
            for (int off = 0; off < Math.min(bytes.length, HEX_BYTES); off += 16) {
                rows.append(String.format("%04x  ", off))
                        .append(hex.formatHex(bytes, off, Math.min(off + 16, bytes.length))).append('\n');
            }
            return Optional.of(new BinaryDump(bin.getFileName().toString(), bytes.length, rows.toString()));
        } catch (IOException e) {
            problems.add(bin.getFileName() + ": cannot read (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    private static Optional<VmclockPage> decode(Path bin, List<String> problems) {
        try {
            return Optional.of(VmclockPage.decode(Files.readAllBytes(bin)));
        } catch (IOException | PageFormatException e) {
            problems.add(bin.getFileName() + ": cannot decode (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    /**
     * The event sections of qmp.txt ({@code ## SNAPSHOT_LOAD ...}) each up to {@value #QMP_EVENT_LINES}
     * lines, and the tail of the full transcript: the events are what a reader checks, the transcript
     * is mostly page reads.
     */
    static Excerpt qmp(Path file) {
        List<String> lines = lines(file);
        StringBuilder out = new StringBuilder();
        int omitted = 0;
        List<List<String>> sections = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("## ") || sections.isEmpty()) {
                sections.add(new ArrayList<>());
            }
            sections.get(sections.size() - 1).add(l);
        }
        for (List<String> s : sections) {
            boolean transcript = s.get(0).startsWith("## full transcript");
            int keep = transcript ? QMP_TRANSCRIPT_TAIL : QMP_EVENT_LINES;
            List<String> body = s.subList(1, s.size());
            out.append(s.get(0)).append('\n');
            if (body.size() > keep) {
                int skip = body.size() - keep;
                omitted += skip;
                List<String> kept = transcript ? body.subList(skip, body.size()) : body.subList(0, keep);
                if (transcript) {
                    out.append("… ").append(skip).append(" earlier lines in the transcript\n");
                }
                kept.forEach(l -> out.append(l).append('\n'));
                if (!transcript) {
                    out.append("… ").append(skip).append(" more lines in the transcript\n");
                }
            } else {
                body.forEach(l -> out.append(l).append('\n'));
            }
        }
        return new Excerpt(out.toString(), omitted);
    }

    static Excerpt tail(Path file, int n) {
        List<String> lines = lines(file);
        int skip = Math.max(0, lines.size() - n);
        return new Excerpt(String.join("\n", lines.subList(skip, lines.size())), skip);
    }

    static Excerpt head(Path file, int n) {
        List<String> lines = lines(file);
        int keep = Math.min(n, lines.size());
        return new Excerpt(String.join("\n", lines.subList(0, keep)), lines.size() - keep);
    }

    private static List<String> lines(Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            // Console output may carry stray bytes; decoding leniently keeps the rest readable.
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return List.of("(cannot read " + file.getFileName() + ": " + e.getMessage() + ")");
        }
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.substring(0, n.length() - ".bin".length());
    }

    private static String before(String afterName) {
        return afterName.substring(0, afterName.length() - "-after".length()) + "-before";
    }

    private static String after(String beforeName) {
        return beforeName.substring(0, beforeName.length() - "-before".length()) + "-after";
    }

    /** For maps keyed by evidence directory; kept ordered so the page is reproducible. */
    static Map<String, EvidenceView> forReport(Report report, Path runDir) {
        Map<String, EvidenceView> out = new LinkedHashMap<>();
        for (Report.ClauseReport c : report.clauses()) {
            for (Report.TestReport t : c.tests()) {
                if (t.evidenceDir() != null && !out.containsKey(t.evidenceDir())) {
                    out.put(t.evidenceDir(), read(runDir.resolve(t.evidenceDir()), Specs.prefix(c.id())));
                }
            }
        }
        return out;
    }
}
