package dev.vmclock.gate;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The entries of an expectations file whose condition matches one implementation: for each clause, either
 * one entry for the whole clause, or entries for some of its checks (the others are expected to PASS or be
 * NOT_APPLICABLE, as web-platform-tests expects unlisted subtests to pass).
 */
public final class Expected {

    private final Path file;
    private final Map<String, Expectation> whole = new HashMap<>();
    private final Map<String, Map<String, Expectation>> checks = new HashMap<>();

    private Expected(Path file) {
        this.file = file;
    }

    /**
     * The entries in force for {@code subject}. Two matching entries for one clause or check, or a whole-clause
     * entry beside check entries of the same clause, are bad input: the file cannot say what is expected.
     */
    public static Expected forSubject(ExpectationsFile f, Subject subject) {
        Expected e = new Expected(f.path());
        for (Expectation x : f.entries()) {
            if (!x.when().matches(subject)) {
                continue;
            }
            Optional<Expectation> clash = x.wholeClause()
                    ? Optional.ofNullable(e.whole.get(x.clause())).or(() -> e.anyCheck(x.clause()))
                    : Optional.ofNullable(e.whole.get(x.clause())).or(() -> x.checks().stream()
                            .map(c -> e.checks.getOrDefault(x.clause(), Map.of()).get(c)).filter(java.util.Objects::nonNull)
                            .findFirst());
            if (clash.isPresent()) {
                throw new HarnessException(ExitCode.USAGE, f.path() + ":" + x.line() + ": the entry for " + x.describe()
                        + " and the one on line " + clash.get().line() + " both apply to " + subject.describe()
                        + ": narrow their when: conditions, or keep one");
            }
            if (x.wholeClause()) {
                e.whole.put(x.clause(), x);
            } else {
                x.checks().forEach(c -> e.checks.computeIfAbsent(x.clause(), k -> new HashMap<>()).put(c, x));
            }
        }
        return e;
    }

    public Path file() {
        return file;
    }

    /** The entry for the whole clause, if the clause has one. */
    public Optional<Expectation> wholeClause(String clause) {
        return Optional.ofNullable(whole.get(clause));
    }

    /** The entry for one check of the clause, if it has one. */
    public Optional<Expectation> check(String clause, String check) {
        return Optional.ofNullable(checks.getOrDefault(clause, Map.of()).get(check));
    }

    /** How many entries apply. */
    public int size() {
        return whole.size() + (int) checks.values().stream().flatMap(m -> m.values().stream()).distinct().count();
    }

    private Optional<Expectation> anyCheck(String clause) {
        return checks.getOrDefault(clause, Map.of()).values().stream().findFirst();
    }
}
