package dev.vmclock.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.spec.ClauseEntry;
import dev.vmclock.conformance.spec.SpecMap;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The build's traceability gate: every conformance test cites clauses that spec-map.md has, is listed in
 * those clauses' rows, and every clause has tests or a written reason why it has none.
 */
class SpecMapConsistencyTest {

    private final SpecMap map = SpecMap.load();
    private final Map<String, Set<String>> cited = citedClausesByTest();

    private static Map<String, Set<String>> citedClausesByTest() {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Class<?> c : ReflectionSupport.findAllClassesInPackage(SuiteRunner.SUITE_PACKAGE, x -> true, n -> true)) {
            for (Method m : c.getDeclaredMethods()) {
                Clause clause = m.getAnnotation(Clause.class);
                boolean isTest = m.isAnnotationPresent(org.junit.jupiter.api.Test.class);
                if (isTest) {
                    assertThat(clause).as("%s#%s is a conformance test without @Clause", c.getSimpleName(), m.getName())
                            .isNotNull();
                }
                if (clause != null) {
                    out.put(c.getSimpleName() + "#" + m.getName(), new TreeSet<>(List.of(clause.value())));
                }
            }
        }
        return out;
    }

    @Test
    void everyCitedClauseExists() {
        List<String> unknown = new ArrayList<>();
        cited.forEach((test, ids) -> ids.stream().filter(id -> map.find(id).isEmpty())
                .forEach(id -> unknown.add(test + " cites " + id)));
        assertThat(unknown).as("clause ids that spec-map.md does not have").isEmpty();
    }

    @Test
    void everyTestIsListedUnderEachClauseItCites() {
        List<String> missing = new ArrayList<>();
        cited.forEach((test, ids) -> ids.stream().filter(id -> map.find(id).isPresent())
                .filter(id -> !map.get(id).tests().contains(test)).forEach(id -> missing.add(id + " lacks " + test)));
        assertThat(missing).as("spec-map.md rows whose Tests column misses a test citing them").isEmpty();
    }

    @Test
    void everyListedTestExistsAndCitesItsClause() {
        List<String> stale = new ArrayList<>();
        for (ClauseEntry e : map.clauses()) {
            for (String t : e.tests()) {
                if (!cited.getOrDefault(t, Set.of()).contains(e.id())) {
                    stale.add(e.id() + " lists " + t);
                }
            }
        }
        assertThat(stale).as("tests named in spec-map.md that do not exist or do not cite the clause").isEmpty();
    }

    @Test
    void everyClauseHasTestsOrAWrittenReason() {
        assertThat(map.clauses()).as("clauses with neither tests nor a reason").allSatisfy(e ->
                assertThat(!e.tests().isEmpty() || e.notObservable().isPresent() || e.notYetAutomated().isPresent())
                        .as(e.id()).isTrue());
        assertThat(map.clauses()).allSatisfy(e -> assertThat(e.notObservable().orElse("x")).as(e.id()).isNotBlank());
    }

    @Test
    void catalogueIsTheOneShippedAtTheRepositoryRoot() throws Exception {
        String root = java.nio.file.Files.readString(java.nio.file.Path.of("..", "spec-map.md"));
        assertThat(SpecMap.parse(root).clauses()).hasSameSizeAs(map.clauses());
        assertThat(map.clauses().size()).isGreaterThanOrEqualTo(100);
    }
}
