package dev.vmclock.conformance.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * spec-map.md, parsed: every clause row of every section table. The file ships inside the suite's jar
 * so that a verdict always carries the strength and source of the clause it is about.
 */
public final class SpecMap {

    public static final String RESOURCE = "/dev/vmclock/conformance/spec-map.md";
    /** The spec prefixes of clause ids: VMC (UAPI.13 VMClock) and VRTC (the virtio RTC device). */
    public static final java.util.List<String> PREFIXES = java.util.List.of("VMC", "VRTC");
    private static final Pattern ID = Pattern.compile("(VMC|VRTC)-[A-Z]+-\\d{2}");
    private static final String NOT_OBSERVABLE = "not observable:";
    private static final String NOT_YET_AUTOMATED = "not yet automated:";

    private final Map<String, ClauseEntry> clauses;

    private SpecMap(Map<String, ClauseEntry> clauses) {
        this.clauses = clauses;
    }

    /** The catalogue shipped with the suite. */
    public static SpecMap load() {
        try (InputStream in = SpecMap.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("spec-map.md is missing from the suite's classpath (" + RESOURCE + ")");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SpecMap parse(String markdown) {
        Map<String, ClauseEntry> out = new LinkedHashMap<>();
        String section = "";
        for (String line : markdown.split("\n")) {
            if (line.startsWith("## ")) {
                section = line.substring(3).strip();
                continue;
            }
            if (PREFIXES.stream().noneMatch(p -> line.startsWith("| " + p + "-"))) {
                continue;
            }
            String[] cells = line.split("(?<!\\\\)\\|", -1);
            if (cells.length < 8) {
                throw new IllegalArgumentException("spec-map.md row without the six columns: " + line);
            }
            String id = cells[1].strip();
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException("malformed clause id '" + id + "' in: " + line);
            }
            if (out.containsKey(id)) {
                throw new IllegalArgumentException("clause " + id + " appears twice in spec-map.md");
            }
            String testsCell = cells[6].strip();
            List<String> tests = new ArrayList<>();
            Optional<String> notObservable = Optional.empty();
            Optional<String> notYetAutomated = Optional.empty();
            if (testsCell.startsWith(NOT_OBSERVABLE)) {
                notObservable = Optional.of(testsCell.substring(NOT_OBSERVABLE.length()).strip());
            } else if (testsCell.startsWith(NOT_YET_AUTOMATED)) {
                notYetAutomated = Optional.of(testsCell.substring(NOT_YET_AUTOMATED.length()).strip());
            } else if (!testsCell.isEmpty()) {
                Arrays.stream(testsCell.split(",")).map(String::strip).filter(t -> !t.isEmpty()).forEach(tests::add);
            }
            out.put(id, new ClauseEntry(id, section, cells[2].strip(), Strength.parse(cells[3]), cells[4].strip(),
                    cells[5].strip(), List.copyOf(tests), notObservable, notYetAutomated));
        }
        return new SpecMap(out);
    }

    public Optional<ClauseEntry> find(String id) {
        return Optional.ofNullable(clauses.get(id));
    }

    public ClauseEntry get(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("no clause " + id + " in spec-map.md"));
    }

    public Collection<ClauseEntry> clauses() {
        return clauses.values();
    }

    /** The clauses of one spec, by prefix ({@code VMC}, {@code VRTC}). */
    public List<ClauseEntry> clauses(String prefix) {
        return clauses.values().stream().filter(c -> c.prefix().equals(prefix)).toList();
    }
}
