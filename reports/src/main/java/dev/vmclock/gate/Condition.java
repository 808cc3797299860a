package dev.vmclock.gate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An expectation's {@code when:}: every field given must match the run's {@link Subject}; an absent field
 * matches anything. {@code version} is a range of comparisons ({@code ">=11.1 <11.2"}) or a version that
 * matches itself and every version under it ({@code 11.1} matches 11.1.3); {@code machine} and {@code image}
 * are globs ({@code pc-q35-*}); {@code vmm} and {@code accelerator} are names, compared ignoring case.
 */
public record Condition(Optional<String> vmm, Optional<String> version, Optional<String> machine,
                        Optional<String> accelerator, Optional<String> image) {

    public static final Condition ALWAYS = new Condition(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty());

    /** The keys a {@code when:} mapping may hold. */
    public static final List<String> KEYS = List.of("vmm", "version", "machine", "accelerator", "image");

    private static final Pattern COMPARISON = Pattern.compile("(>=|<=|>|<|==|=)?\\s*(\\d+(?:\\.\\d+)*)");

    public Condition {
        version.ifPresent(Condition::comparisons); // a bad range is refused when the file is read
    }

    public boolean matches(Subject s) {
        return vmm.map(v -> v.equalsIgnoreCase(s.vmm())).orElse(true)
                && version.map(r -> inRange(s.version(), r)).orElse(true)
                && machine.map(g -> glob(g).matcher(s.machine()).matches()).orElse(true)
                && accelerator.map(a -> a.equalsIgnoreCase(s.accelerator())).orElse(true)
                && image.map(g -> glob(g).matcher(s.image()).matches()).orElse(true);
    }

    /** This condition with the file's top-level {@code when:} filling the fields this one leaves out. */
    public Condition within(Condition file) {
        return new Condition(vmm.or(file::vmm), version.or(file::version), machine.or(file::machine),
                accelerator.or(file::accelerator), image.or(file::image));
    }

    /** The fields {@code shared} does not already say: what an entry writes under a file's top-level {@code when:}. */
    public Condition without(Condition shared) {
        return new Condition(vmm.filter(v -> !shared.vmm().equals(vmm)), version.filter(v -> !shared.version().equals(version)),
                machine.filter(v -> !shared.machine().equals(machine)),
                accelerator.filter(v -> !shared.accelerator().equals(accelerator)),
                image.filter(v -> !shared.image().equals(image)));
    }

    /** The fields given, in {@link #KEYS} order, as a YAML writer takes them. */
    public java.util.Map<String, String> fields() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        vmm.ifPresent(v -> m.put("vmm", v));
        version.ifPresent(v -> m.put("version", v));
        machine.ifPresent(v -> m.put("machine", v));
        accelerator.ifPresent(v -> m.put("accelerator", v));
        image.ifPresent(v -> m.put("image", v));
        return m;
    }

    /** As written in the file, for messages; empty when it always matches. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        fields().forEach((k, v) -> parts.add(k + " " + v));
        return String.join(", ", parts);
    }

    private record Comparison(String op, int[] version) {
    }

    private static List<Comparison> comparisons(String range) {
        List<Comparison> cs = new ArrayList<>();
        for (String part : range.trim().split("\\s*,\\s*|\\s+(?=[<>=])")) {
            Matcher m = COMPARISON.matcher(part.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("version '" + range + "' is not a version or a range such as"
                        + " \">=11.1 <11.2\"");
            }
            cs.add(new Comparison(m.group(1) == null ? "" : m.group(1), numbers(m.group(2))));
        }
        return cs;
    }

    static boolean inRange(String version, String range) {
        Optional<int[]> v = leadingVersion(version);
        if (v.isEmpty()) {
            return false;
        }
        return comparisons(range).stream().allMatch(c -> {
            int cmp = compare(v.get(), c.version());
            return switch (c.op()) {
                case ">=" -> cmp >= 0;
                case "<=" -> cmp <= 0;
                case ">" -> cmp > 0;
                case "<" -> cmp < 0;
                case "=", "==" -> cmp == 0;
                default -> startsWith(v.get(), c.version());
            };
        });
    }

    /** {@code 11.1.3} of {@code "11.1.3"} or {@code "11.1.3 (Debian 1:11.1.3+ds-2)"}. */
    private static Optional<int[]> leadingVersion(String s) {
        Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)*)").matcher(s);
        return m.find() ? Optional.of(numbers(m.group(1))) : Optional.empty();
    }

    private static int[] numbers(String dotted) {
        return Arrays.stream(dotted.split("\\.")).mapToInt(Integer::parseInt).toArray();
    }

    /** Component by component; a missing component counts as 0 (11.1 == 11.1.0). */
    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int c = Integer.compare(i < a.length ? a[i] : 0, i < b.length ? b[i] : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static boolean startsWith(int[] v, int[] prefix) {
        return v.length >= prefix.length && Arrays.equals(Arrays.copyOf(v, prefix.length), prefix);
    }

    private static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (String piece : glob.split("(?=[*?])|(?<=[*?])")) {
            re.append(switch (piece) {
                case "*" -> ".*";
                case "?" -> ".";
                default -> Pattern.quote(piece);
            });
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE);
    }
}
