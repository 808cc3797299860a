package dev.vmclock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The matrix file (YAML):
 * <pre>
 * implementations:            # name: SPEC (or a list of SPECs, named after them)
 *   host-10.0: /usr/bin/qemu-system-x86_64     # a QEMU binary on this machine
 *   qemu-11.1: trixie-backports                 # a Debian suite: its image, built here on first need
 *   vendor: vendor/qemu:1.2                     # a local Docker image tag
 *   mine: build-dir:/src/qemu/build             # a QEMU build tree, made into an image
 * machines: [q35, pc]
 * hops:                       # one cell each: run on FROM, hop to TO
 *   - host-10.0 -> qemu-11.1
 *   - {from: qemu-11.1, to: host-10.0, machine: pc}
 * select: [VMC]               # passed to every cell's run (optional)
 * accel: tcg                  # optional
 * </pre>
 */
record MatrixFile(Map<String, String> implementations, List<String> machines, List<Hop> hops, List<String> select,
                  Optional<String> accel) {

    /** A hop cell: run on {@code from}, hop to {@code to}, on {@code machine} (empty: the first machine). */
    record Hop(String from, String to, Optional<String> machine) {
        private static final Pattern ARROW = Pattern.compile("\\s*(\\S+)\\s*->\\s*(\\S+)\\s*(?:@\\s*(\\S+)\\s*)?");

        /** {@code FROM -> TO} or {@code FROM -> TO @ MACHINE}. */
        static Hop parse(String s) {
            Matcher m = ARROW.matcher(s);
            if (!m.matches()) {
                throw Main.usage("a hop is FROM -> TO [@ MACHINE], not '" + s + "'");
            }
            return new Hop(m.group(1), m.group(2), Optional.ofNullable(m.group(3)));
        }
    }

    static final MatrixFile EMPTY = new MatrixFile(Map.of(), List.of(), List.of(), List.of(), Optional.empty());

    static MatrixFile read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw Main.usage("cannot read the matrix file " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw Main.usage("the matrix file " + file + " is not a YAML mapping (implementations:, machines:, hops:)");
        }
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!List.of("implementations", "machines", "hops", "select", "accel").contains(key)) {
                throw Main.usage("the matrix file " + file + " has an unknown key '" + key
                        + "' (known: implementations, machines, hops, select, accel)");
            }
        }
        Map<String, String> impls = new LinkedHashMap<>();
        JsonNode i = root.path("implementations");
        if (i.isObject()) {
            i.fields().forEachRemaining(e -> impls.put(e.getKey(), e.getValue().asText()));
        } else {
            for (String spec : strings(i, "implementations", file)) {
                if (impls.put(nameOf(spec), spec) != null) {
                    throw Main.usage("the matrix file " + file + " names two implementations " + nameOf(spec)
                            + ": list each once, or name them (implementations: {NAME: SPEC})");
                }
            }
        }
        List<Hop> hops = new ArrayList<>();
        for (JsonNode h : root.path("hops")) {
            if (h.isTextual()) {
                hops.add(Hop.parse(h.asText()));
            } else if (h.hasNonNull("from") && h.hasNonNull("to")) {
                hops.add(new Hop(h.get("from").asText(), h.get("to").asText(),
                        Optional.ofNullable(h.get("machine")).map(JsonNode::asText)));
            } else {
                throw Main.usage("the matrix file " + file + ": a hop is 'FROM -> TO' or {from: FROM, to: TO, machine: M}");
            }
        }
        return new MatrixFile(impls, strings(root.path("machines"), "machines", file), hops,
                strings(root.path("select"), "select", file),
                Optional.ofNullable(root.get("accel")).map(JsonNode::asText));
    }

    private static List<String> strings(JsonNode n, String key, Path file) {
        if (n.isMissingNode() || n.isNull()) {
            return List.of();
        }
        if (n.isTextual()) {
            return List.of(n.asText().split("[,\\s]+"));
        }
        if (!n.isArray()) {
            throw Main.usage("the matrix file " + file + ": " + key + " is a list");
        }
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** A cell-directory-friendly name for an unnamed SPEC: its last path element, else the tag, sanitized. */
    static String nameOf(String spec) {
        String s = spec.startsWith(MatrixImplementation.BUILD_DIR_PREFIX) ? "build-" + Path.of(spec.substring(
                MatrixImplementation.BUILD_DIR_PREFIX.length())).getFileName() : spec.contains("/") && !spec.contains(":")
                ? Path.of(spec).getFileName().toString() : spec;
        return s.replaceAll("[^A-Za-z0-9_.-]+", "-").replaceAll("^-+|-+$", "");
    }
}
