package dev.vmclock.gate;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.spec.ClauseEntry;
import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * An expectations file (YAML), after web-platform-tests' metadata files: the results an implementation is
 * known to give, each with its reason, so that a gate fails only on what is unexpected.
 * <pre>
 * schema: vmclock-conformance/expectations/v1
 * when: {vmm: qemu, version: "11.1"}        # optional: a condition every entry shares
 * expectations:
 *   - clause: VRTC-OP-08
 *     checks: [BufferSizeTest#headerCutShortIsEinval]   # optional: the checks within the clause
 *     expected: FAIL                        # FAIL, ERROR or NOT_APPLICABLE
 *     reason: a header under 8 bytes puts the device in NEEDS_RESET instead of an EINVAL answer
 *     link: https://...                     # optional
 *     when: {machine: "pc-q35-*"}          # optional: vmm, version, machine, accelerator, image
 * </pre>
 * Read once, before anything starts; every problem is one line naming the file, the line and column, and the
 * fix ({@link ExitCode#USAGE}). The YAML is read as nodes (SnakeYAML's composer) so each entry keeps its line.
 *
 * @param shared  the file's top-level {@code when:}
 * @param entries in file order, each with {@code shared} folded into its own condition
 */
public record ExpectationsFile(Path path, Condition shared, List<Expectation> entries) {

    public static final String SCHEMA = "vmclock-conformance/expectations/v1";

    private static final List<String> TOP_KEYS = List.of("schema", "when", "expectations");
    private static final List<String> ENTRY_KEYS = List.of("clause", "checks", "expected", "reason", "link", "when");

    public ExpectationsFile {
        entries = List.copyOf(entries);
    }

    public static ExpectationsFile read(Path file, SpecMap specMap) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw bad(file + " is not a readable file: pass the path of an expectations file (YAML, see README"
                    + " \"Expected results\")");
        }
        Node root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(r);
        } catch (MarkedYAMLException e) {
            throw bad(file + at(e.getProblemMark()) + ": " + e.getProblem() + ": fix the YAML syntax there");
        } catch (YAMLException | IOException e) {
            throw bad("cannot read " + file + ": " + e.getMessage().lines().findFirst().orElse("") + ": fix the file");
        }
        return new Reading(file, specMap).file(root);
    }

    /** Entries in file order; the file's top-level {@code when:} is already folded into each. */
    private static final class Reading {
        private final Path file;
        private final SpecMap specMap;

        Reading(Path file, SpecMap specMap) {
            this.file = file;
            this.specMap = specMap;
        }

        ExpectationsFile file(Node root) {
            if (!(root instanceof MappingNode top)) {
                throw problem(root, "the file must be a YAML mapping with schema: " + SCHEMA + " and expectations:");
            }
            Map<String, Node> fields = fields(top, TOP_KEYS);
            Node schema = fields.get("schema");
            if (schema == null || !SCHEMA.equals(scalar(schema, "schema"))) {
                throw problem(schema == null ? top : schema, "the file must start with schema: " + SCHEMA);
            }
            Condition shared = Optional.ofNullable(fields.get("when")).map(this::condition).orElse(Condition.ALWAYS);
            Node list = fields.get("expectations");
            List<Expectation> entries = new ArrayList<>();
            if (list != null && !(list instanceof ScalarNode s && s.getValue().isEmpty())) {
                if (!(list instanceof SequenceNode seq)) {
                    throw problem(list, "expectations: must be a list of entries (- clause: ...)");
                }
                for (Node n : seq.getValue()) {
                    entries.add(entry(n, shared));
                }
            }
            refuseDuplicates(entries);
            return new ExpectationsFile(file, shared, entries);
        }

        private Expectation entry(Node n, Condition shared) {
            if (!(n instanceof MappingNode m)) {
                throw problem(n, "an entry must be a mapping with clause:, expected: and reason:");
            }
            Map<String, Node> f = fields(m, ENTRY_KEYS);
            Node clauseNode = required(f, "clause", m);
            String clause = scalar(clauseNode, "clause");
            ClauseEntry entry = specMap.find(clause).orElseThrow(() -> problem(clauseNode, "clause " + clause
                    + " is not in spec-map.md: use a clause id the catalogue knows (e.g. VMC-SEQ-03)"));
            List<String> checks = new ArrayList<>();
            Node checksNode = f.get("checks");
            if (checksNode != null) {
                List<Node> items = checksNode instanceof SequenceNode s ? s.getValue() : List.of(checksNode);
                for (Node c : items) {
                    String check = scalar(c, "checks");
                    if (!entry.tests().contains(check)) {
                        throw problem(c, "check " + check + " does not check " + clause + ": its checks are "
                                + String.join(", ", entry.tests()));
                    }
                    if (checks.contains(check)) {
                        throw problem(c, "check " + check + " is listed twice: list it once");
                    }
                    checks.add(check);
                }
            }
            Node expectedNode = required(f, "expected", m);
            Verdict expected = verdict(expectedNode);
            Node reasonNode = required(f, "reason", m);
            String reason = scalar(reasonNode, "reason").strip();
            if (reason.isEmpty()) {
                throw problem(reasonNode, "the entry for " + clause + " has an empty reason: say in one line why"
                        + " this result is expected");
            }
            Optional<String> link = Optional.ofNullable(f.get("link")).map(l -> scalar(l, "link"));
            Condition when = Optional.ofNullable(f.get("when")).map(this::condition).orElse(Condition.ALWAYS)
                    .within(shared);
            return new Expectation(clause, checks, expected, reason, link, when, line(m));
        }

        private Verdict verdict(Node n) {
            String v = scalar(n, "expected");
            return switch (v) {
                case "FAIL" -> Verdict.FAIL;
                case "ERROR" -> Verdict.ERROR;
                case "NOT_APPLICABLE" -> Verdict.NOT_APPLICABLE;
                case "PASS" -> throw problem(n, "expected: PASS needs no entry: remove it");
                default -> throw problem(n, "expected: must be FAIL, ERROR or NOT_APPLICABLE, not '" + v + "'");
            };
        }

        private Condition condition(Node n) {
            if (!(n instanceof MappingNode m)) {
                throw problem(n, "when: must be a mapping of " + String.join(", ", Condition.KEYS));
            }
            Map<String, Node> f = fields(m, Condition.KEYS);
            java.util.function.Function<String, Optional<String>> get =
                    k -> Optional.ofNullable(f.get(k)).map(v -> scalar(v, k));
            try {
                return new Condition(get.apply("vmm"), get.apply("version"), get.apply("machine"),
                        get.apply("accelerator"), get.apply("image"));
            } catch (IllegalArgumentException e) {
                throw problem(f.get("version"), e.getMessage());
            }
        }

        /** Duplicate entries, and entries that contradict each other, for the same clause or check and condition. */
        private void refuseDuplicates(List<Expectation> entries) {
            Map<String, Expectation> seen = new HashMap<>();
            for (Expectation e : entries) {
                List<String> keys = e.wholeClause() ? List.of(e.clause() + " (whole clause)")
                        : e.checks().stream().map(c -> e.clause() + " " + c).toList();
                for (String key : keys) {
                    Expectation earlier = seen.putIfAbsent(key + " when " + e.when(), e);
                    if (earlier != null) {
                        String what = earlier.expected() == e.expected() ? "duplicates" : "contradicts";
                        throw bad(file + ":" + e.line() + ": the entry for " + key + " " + what + " the one on line "
                                + earlier.line() + ": keep one");
                    }
                }
            }
        }

        private Map<String, Node> fields(MappingNode m, List<String> allowed) {
            Map<String, Node> f = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                String key = scalar(t.getKeyNode(), "key");
                if (!allowed.contains(key)) {
                    throw problem(t.getKeyNode(), "unknown key '" + key + "': the keys here are "
                            + String.join(", ", allowed));
                }
                if (f.put(key, t.getValueNode()) != null) {
                    throw problem(t.getKeyNode(), "key '" + key + "' appears twice: keep one");
                }
            }
            return f;
        }

        private Node required(Map<String, Node> f, String key, Node entry) {
            Node n = f.get(key);
            if (n == null) {
                throw problem(entry, "the entry has no " + key + ": (each entry needs clause:, expected: and reason:)");
            }
            return n;
        }

        private String scalar(Node n, String what) {
            if (!(n instanceof ScalarNode s)) {
                throw problem(n, what + " must be a single value");
            }
            return s.getValue();
        }

        private HarnessException problem(Node n, String message) {
            return bad(file + (n == null ? "" : at(n.getStartMark())) + ": " + message);
        }

        private static int line(Node n) {
            return n.getStartMark().getLine() + 1;
        }
    }

    private static String at(Mark m) {
        return m == null ? "" : ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
    }

    private static HarnessException bad(String message) {
        return new HarnessException(ExitCode.USAGE, message);
    }
}
