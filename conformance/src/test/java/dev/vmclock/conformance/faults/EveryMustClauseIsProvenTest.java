package dev.vmclock.conformance.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.conformance.ReferenceClockTest;
import dev.vmclock.conformance.spec.ClauseEntry;
import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.conformance.virtiortc.ReferenceRtcFaultTest;
import dev.vmclock.conformance.virtiortc.VirtioRtcFaultInjectionTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every MUST and MUST NOT clause is proven: some deliberately broken implementation of the self-test makes it
 * FAIL (it is in that fault's exact expected FAIL set), or spec-map.md's section "MUST clauses without a fault"
 * says, in one bullet, why no fault of the kind the suite can inject can break it. A check never seen failing
 * may be a check that cannot fail. Fast: reads the fault tables, runs no QEMU.
 */
class EveryMustClauseIsProvenTest {

    /** The fault tests, each exposing its faults' exact FAIL sets. Adding a fault test is one line here. */
    private static final List<Supplier<Map<String, Set<String>>>> FAULT_TESTS = List.of(
            FaultInjectionTest::expectedFailSets,
            ReferenceClockTest::expectedFailSets,
            RtcClassFaultTest::expectedFailSets,
            VirtioRtcFaultInjectionTest::expectedFailSets,
            ReferenceRtcFaultTest::expectedFailSets,
            VirtioRtcGuestFaultTest::expectedFailSets,
            VmclockGuestDriverFaultTest::expectedFailSets);

    static final String SECTION = "## MUST clauses without a fault";
    private static final Pattern BULLET = Pattern.compile("- `((?:VMC|VRTC)-[A-Z]+-\\d{2})`: (.+\\.)");

    private final SpecMap map = SpecMap.load();
    private final Map<String, Set<String>> faultsByClause = faultsByClause();
    private final Map<String, String> withoutFault = withoutFault(specMapText());

    @Test
    void everyMustClauseFailsUnderSomeFaultOrHasAReason() {
        List<String> unproven = mandatory().stream().map(ClauseEntry::id)
                .filter(id -> !faultsByClause.containsKey(id) && !withoutFault.containsKey(id)).toList();
        long proven = mandatory().stream().filter(c -> faultsByClause.containsKey(c.id())).count();
        assertThat(unproven).as("MUST / MUST NOT clauses never seen to FAIL under a fault (%d of %d proven by a "
                        + "fault, %d with a reason): add a fault that breaks each, or a bullet \"- `ID`: reason.\" "
                        + "under '%s' in spec-map.md: %s", proven, mandatory().size(), withoutFault.size(), SECTION,
                unproven)
                .isEmpty();
    }

    @Test
    void aReasonIsGivenOnlyForAMustClauseNoFaultBreaks() {
        List<String> wrong = new ArrayList<>();
        withoutFault.keySet().forEach(id -> {
            if (map.find(id).isEmpty()) {
                wrong.add(id + ": no such clause in spec-map.md");
            } else if (!map.get(id).strength().isMandatory()) {
                wrong.add(id + ": " + map.get(id).strength().label() + ", not MUST / MUST NOT");
            } else if (faultsByClause.containsKey(id)) {
                wrong.add(id + ": FAILs under " + faultsByClause.get(id));
            }
        });
        assertThat(wrong).as("bullets under '%s' that are not honest", SECTION).isEmpty();
    }

    @Test
    void everyExpectedFailureIsAClauseOfTheMap() {
        assertThat(faultsByClause.keySet()).as("clause ids in the faults' expected FAIL sets")
                .allSatisfy(id -> assertThat(map.find(id)).as(id + " (under " + faultsByClause.get(id) + ")").isPresent());
    }

    @Test
    void reasonsAreReadOnlyFromWellFormedBulletsOfTheirSection() {
        String markdown = "## Coverage\n- `VMC-GEN-08`: another section.\n\n" + SECTION + "\n\nProse first.\n\n"
                + "- `VMC-GEN-05`: no such event in QEMU.\n\n## Next\n- `VMC-DT-01`: after the section.\n";
        assertThat(withoutFault(markdown)).containsOnlyKeys("VMC-GEN-05");
        assertThatThrownBy(() -> withoutFault(SECTION + "\n- VMC-GEN-05: no backticks.\n"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("not of the form");
        assertThatThrownBy(() -> withoutFault(SECTION + "\n- `VMC-GEN-05`: once.\n- `VMC-GEN-05`: twice.\n"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("second bullet");
    }

    private List<ClauseEntry> mandatory() {
        return map.clauses().stream().filter(c -> c.strength().isMandatory()).toList();
    }

    /** Clause id to the faults that FAIL it, over every fault test. */
    private static Map<String, Set<String>> faultsByClause() {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Supplier<Map<String, Set<String>>> test : FAULT_TESTS) {
            test.get().forEach((fault, fails) -> fails.forEach(id -> out.computeIfAbsent(id, k -> new TreeSet<>()).add(fault)));
        }
        return out;
    }

    private static String specMapText() {
        try {
            return Files.readString(Path.of("..", "spec-map.md"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The section's bullets, id to reason; a line that starts like a bullet but is not one fails the test. */
    static Map<String, String> withoutFault(String markdown) {
        String section = markdown.lines().dropWhile(l -> !l.strip().equals(SECTION)).skip(1)
                .takeWhile(l -> !l.startsWith("#")).collect(Collectors.joining("\n"));
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : section.lines().filter(l -> l.startsWith("-")).toList()) {
            Matcher m = BULLET.matcher(line.strip());
            assertThat(m.matches()).as("bullet under '%s' not of the form \"- `ID`: reason.\": %s", SECTION, line).isTrue();
            assertThat(out.put(m.group(1), m.group(2))).as("second bullet for %s", m.group(1)).isNull();
        }
        return out;
    }
}
