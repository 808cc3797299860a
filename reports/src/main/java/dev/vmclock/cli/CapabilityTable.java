package dev.vmclock.cli;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.TestOutcome;
import dev.vmclock.conformance.spec.ClauseEntry;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.VmmProfile;
import dev.vmclock.harness.Device;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What each implementation can be judged on, clause by clause (the README's capability table): the classification
 * {@code capabilities} measures, its data file, and the Markdown table rendered from it and the providers' profiles.
 * The data file is what a fast test holds the README against; measuring takes four suite runs.
 */
final class CapabilityTable {

    static final String BEGIN = "<!-- capability-table:begin -->";
    static final String END = "<!-- capability-table:end -->";
    static final String SCHEMA = "vmclock-conformance/capabilities/v1";
    /** The data file the README's table is held against, from the project root. */
    static final String DATA = "reports/src/test/resources/capabilities.tsv";
    static final String REFRESH = "./vmclock-conformance capabilities --data-out " + DATA + " --readme README.md";

    private static final Pattern CAPABILITY = Pattern.compile("\\(capability ([A-Z_]+)\\)");

    private CapabilityTable() {
    }

    /** Why a clause is or is not judged on one implementation. */
    enum Kind {
        /** PASS or FAIL: its checks ran (on a stand-in, the verdict says nothing about the real VMM). */
        JUDGED,
        /** NOT_APPLICABLE: a check needs a capability the VMM lacks. */
        CAPABILITY,
        /** NOT_APPLICABLE: the machine has no such device. */
        DEVICE,
        /** NOT_APPLICABLE for what the device itself advertises or does (a flag, a feature, clock data). */
        IMPLEMENTATION,
        /** No check in the suite: not observable, or not yet automated (spec-map.md). */
        NO_CHECK
    }

    /**
     * One clause on one implementation.
     *
     * @param names the capabilities ({@link Kind#CAPABILITY}), the device ({@link Kind#DEVICE}) or why there is no
     *              check ({@link Kind#NO_CHECK}); empty otherwise
     */
    record Cell(Kind kind, List<String> names) {
        Cell {
            names = List.copyOf(names);
        }

        static Cell of(Kind kind, String... names) {
            return new Cell(kind, List.of(names));
        }

        String encode() {
            return kind.name().toLowerCase() + (names.isEmpty() ? "" : ":" + String.join("+", names));
        }

        static Cell decode(String s) {
            String[] p = s.split(":", 2);
            return new Cell(Kind.valueOf(p[0].toUpperCase()), p.length == 1 ? List.of() : List.of(p[1].split("\\+")));
        }
    }

    /**
     * One column: an implementation run as itself, or a provider's shape on a stand-in (its missing capabilities
     * hidden, its absent devices removed).
     *
     * @param provider   the provider ({@code --vmm}) whose profile explains the column
     * @param measuredOn what ran, as the implementation record describes it
     * @param hidden     the capabilities hidden ({@code --without}) in the run
     * @param devices    the time devices the run's machine had
     */
    record Column(String key, String title, String provider, boolean standIn, String measuredOn,
                  Set<Capability> hidden, List<Device> devices) {
        Column {
            hidden = hidden.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(hidden));
            devices = List.copyOf(devices);
        }

        String encode() {
            return String.join("\t", "column", key, title, provider, standIn ? "stand-in" : "itself", measuredOn,
                    hidden.isEmpty() ? "-" : EnumSet.copyOf(hidden).stream().map(Enum::name)
                            .collect(Collectors.joining(",")),
                    devices.isEmpty() ? "-" : devices.stream().map(Enum::name).collect(Collectors.joining(",")));
        }

        static Column decode(String[] f) {
            return new Column(f[1], f[2], f[3], f[4].equals("stand-in"), f[5],
                    f[6].equals("-") ? Set.of() : Capability.parseList(f[6]),
                    f[7].equals("-") ? List.of() : Arrays.stream(f[7].split(",")).map(Device::valueOf).toList());
        }
    }

    /** The measured classification: every clause of spec-map.md, a cell per column. */
    record Data(List<Column> columns, Map<String, List<Cell>> clauses) {
        Data {
            columns = List.copyOf(columns);
            clauses = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(clauses));
            for (var e : clauses.entrySet()) {
                if (e.getValue().size() != columns.size()) {
                    throw new IllegalArgumentException(e.getKey() + " has " + e.getValue().size() + " cells for "
                            + columns.size() + " columns");
                }
            }
        }

        String format() {
            StringBuilder s = new StringBuilder("# " + SCHEMA + ": per clause, judged or why not, per column below."
                    + "\n# Measured, never edited by hand; refresh from the project root with\n#   " + REFRESH + "\n");
            columns.forEach(c -> s.append(c.encode()).append('\n'));
            clauses.forEach((id, cells) -> s.append(id).append('\t')
                    .append(cells.stream().map(Cell::encode).collect(Collectors.joining("\t"))).append('\n'));
            return s.toString();
        }

        static Data parse(String text) {
            List<Column> columns = new ArrayList<>();
            Map<String, List<Cell>> clauses = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                if (f[0].equals("column")) {
                    columns.add(Column.decode(f));
                } else {
                    clauses.put(f[0], Arrays.stream(f).skip(1).map(Cell::decode).toList());
                }
            }
            return new Data(columns, clauses);
        }
    }

    /**
     * How {@code clause} fared on a machine with {@code devices}; {@code result} is empty for a clause no check ran.
     * A missing device comes first (nothing to judge), then a missing capability, then the implementation.
     *
     * @throws IllegalStateException on an ERROR, or a clause whose checks did not run: the table would lie
     */
    static Cell classify(ClauseEntry clause, Optional<ClauseResult> result, Collection<Device> devices) {
        if (clause.tests().isEmpty()) {
            return Cell.of(Kind.NO_CHECK, clause.notObservable().isPresent() ? "not observable" : "not yet automated");
        }
        ClauseResult r = result.orElseThrow(() -> new IllegalStateException(clause.id() + " names checks, none ran"));
        switch (r.verdict()) {
            case PASS, FAIL -> {
                return Cell.of(Kind.JUDGED);
            }
            case ERROR -> throw new IllegalStateException(clause.id() + " ERRORed: " + r.reason());
            default -> {
            }
        }
        List<String> messages = r.tests().stream().filter(t -> t.verdict() == Verdict.NOT_APPLICABLE)
                .map(TestOutcome::message).map(m -> m == null ? "" : m).toList();
        for (Device d : Device.values()) {
            boolean named = messages.stream().anyMatch(m -> m.contains("no " + d.specName() + " device"));
            if (!devices.contains(d) && (d.specPrefix().equals(clause.prefix()) || named)) {
                return Cell.of(Kind.DEVICE, d.name());
            }
        }
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        for (String m : messages) {
            Matcher x = CAPABILITY.matcher(m);
            while (x.find()) {
                caps.add(Capability.valueOf(x.group(1)));
            }
        }
        if (!caps.isEmpty()) {
            return new Cell(Kind.CAPABILITY, caps.stream().map(Enum::name).toList());
        }
        return Cell.of(Kind.IMPLEMENTATION);
    }

    /** What a cell says in the README; {@code profile} explains a missing capability. */
    static String text(Cell cell, Column column, VmmProfile profile) {
        return switch (cell.kind()) {
            case JUDGED -> "judged";
            case CAPABILITY -> "NA: " + cell.names().stream().map(c -> "`" + c + "` ("
                    + profile.why(Capability.valueOf(c)).orElse("not offered in this run") + ")")
                    .collect(Collectors.joining(", "));
            case DEVICE -> "NA: no " + Device.valueOf(cell.names().get(0)).specName() + " device";
            // A stand-in's device is QEMU's, which advertises less than some VMMs (Firecracker: the generation
            // counter and notifications), so only the implementation's own column may say NA.
            case IMPLEMENTATION -> column.standIn() ? "depends on what the device advertises"
                    : "NA: not advertised by this device";
            case NO_CHECK -> "no check (" + cell.names().get(0) + ")";
        };
    }

    /** The Markdown between the README's markers (the markers excluded), rendered from {@code data}. */
    static String render(Data data, Function<String, VmmProfile> profiles) {
        List<Column> cols = data.columns();
        List<VmmProfile> prof = cols.stream().map(c -> profiles.apply(c.provider())).toList();
        Map<List<String>, List<String>> groups = new LinkedHashMap<>();
        data.clauses().forEach((id, cells) -> {
            List<String> row = new ArrayList<>();
            for (int i = 0; i < cols.size(); i++) {
                row.add(text(cells.get(i), cols.get(i), prof.get(i)));
            }
            groups.computeIfAbsent(row, k -> new ArrayList<>()).add(id);
        });
        List<Map.Entry<List<String>, List<String>>> rows = new ArrayList<>(groups.entrySet());
        // Largest groups first; equal ones in spec-map order (the map keeps first appearance).
        rows.sort((a, b) -> Integer.compare(b.getValue().size(), a.getValue().size()));

        StringBuilder s = new StringBuilder();
        s.append("Generated by `").append(REFRESH).append("` (").append(data.clauses().size())
                .append(" clauses of spec-map.md). Measured on:\n\n");
        for (int i = 0; i < cols.size(); i++) {
            Column c = cols.get(i);
            s.append("- **").append(c.title()).append("**: ");
            if (c.standIn()) {
                s.append("a stand-in, ").append(c.measuredOn()).append(", with ")
                        .append(c.hidden().isEmpty() ? "nothing hidden" : "`--without " + EnumSet.copyOf(c.hidden())
                                .stream().map(Enum::name).collect(Collectors.joining(",")) + "`")
                        .append(" and only ").append(c.devices().stream().map(Device::specName)
                                .collect(Collectors.joining(", "))).append(": what its capabilities and devices allow,"
                                + " never its verdicts");
            } else {
                s.append(c.measuredOn());
            }
            s.append(". ").append(prof.get(i).note()).append(".\n");
        }
        s.append("\n| clauses | n | ").append(cols.stream().map(Column::title).collect(Collectors.joining(" | ")))
                .append(" |\n|---|---|").append("---|".repeat(cols.size())).append('\n');
        for (var row : rows) {
            s.append("| ").append(compact(row.getValue())).append(" | ").append(row.getValue().size()).append(" | ")
                    .append(String.join(" | ", row.getKey())).append(" |\n");
        }
        for (Kind k : Kind.values()) {
            s.append("| **").append(switch (k) {
                case JUDGED -> "judged";
                case CAPABILITY -> "NA: a capability missing";
                case DEVICE -> "NA: no such device";
                case IMPLEMENTATION -> "NA or depends: what the device advertises";
                case NO_CHECK -> "no check";
            }).append("** | |");
            for (int i = 0; i < cols.size(); i++) {
                int col = i;
                s.append(' ').append(data.clauses().values().stream().filter(c -> c.get(col).kind() == k).count())
                        .append(" |");
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** {@code VMC-SEQ-01, 02, 05; VMC-TIME-01}: ids of one area share its prefix. */
    static String compact(List<String> ids) {
        Map<String, List<String>> byArea = new LinkedHashMap<>();
        for (String id : ids) {
            int cut = id.lastIndexOf('-');
            byArea.computeIfAbsent(id.substring(0, cut), k -> new ArrayList<>()).add(id.substring(cut + 1));
        }
        return byArea.entrySet().stream().map(e -> e.getKey() + "-" + String.join(", ", e.getValue()))
                .collect(Collectors.joining("; "));
    }

    /** {@code readme} with {@code table} between the markers; no markers is an error naming them. */
    static String replace(String readme, String table) {
        int b = readme.indexOf(BEGIN);
        int e = readme.indexOf(END);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("README has no " + BEGIN + " ... " + END + " block");
        }
        return readme.substring(0, b + BEGIN.length()) + "\n" + table + readme.substring(e);
    }

    /** The table now between the README's markers. */
    static String current(String readme) {
        int b = readme.indexOf(BEGIN);
        int e = readme.indexOf(END);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("README has no " + BEGIN + " ... " + END + " block");
        }
        return readme.substring(b + BEGIN.length() + 1, e);
    }
}
