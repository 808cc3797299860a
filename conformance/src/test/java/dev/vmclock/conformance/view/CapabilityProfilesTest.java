package dev.vmclock.conformance.view;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.run.TestOutcome;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.TargetOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code run --without}: stock QEMU 10.0 with capabilities hidden, in the shapes of hypervisors that lack them (the
 * last is Firecracker's: snapshot files, no live migration, no savevm, no pmemsave). Against one full run: exactly
 * the clauses listed turn NOT_APPLICABLE, each with a check whose reason names a hidden capability; nothing ERRORs
 * (a check using a hidden capability without requiring it would: WithoutCapabilities throws); every check that
 * changes verdict is NOT_APPLICABLE naming a hidden capability, so every other clause keeps the full run's verdict
 * (save where a clause's remaining checks decide it alone, listed per profile). Without {@code HOST_MEMORY} the page
 * is read in the guest ({@link PageSource.Guest}): what that judges is asserted on its own.
 */
@ExtendWith(GuestSlots.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CapabilityProfilesTest {

    private static final String HOST_QEMU = "/usr/bin/qemu-system-x86_64";

    /**
     * @param without      the hidden capabilities, as {@code run --without} takes them
     * @param turned       the clauses that are NOT_APPLICABLE here and not in the full run (measured on QEMU 10.0.2)
     * @param otherChanges clauses whose verdict changes otherwise: their checks that needed the hidden capability are
     *                     NOT_APPLICABLE, and the rest decide the clause
     */
    record Profile(String without, Set<String> turned, Map<String, Verdict> otherChanges) {
        Set<Capability> hidden() {
            return Capability.parseList(without);
        }

        @Override
        public String toString() {
            return without;
        }
    }

    static Stream<Profile> profiles() {
        return Stream.of(
                new Profile("LIVE_MIGRATION",
                        Set.of("VMC-CONT-01", "VMC-CONT-04", "VMC-DISRUPT-01", "VMC-DISRUPT-04"), Map.of()),
                new Profile("SNAPSHOT",
                        Set.of("VMC-CONT-02", "VMC-DISRUPT-02", "VMC-DISRUPT-04", "VMC-DISRUPT-06", "VMC-LAYOUT-07",
                                "VMC-SEQ-02"), Map.of()),
                // VMC-DISRUPT-05 FAILs on the clones of a restored file; without them, the older snapshot load
                // (a distinct marker) is what judges it.
                new Profile("FILE_RESTORE", Set.of("VMC-CONT-03", "VMC-DISRUPT-03", "VMC-DISRUPT-04"),
                        Map.of("VMC-DISRUPT-05", Verdict.PASS)),
                new Profile("PAUSE_RESUME", Set.of("VMC-DISRUPT-07"), Map.of()),
                // The page is read in the guest: what stays NOT_APPLICABLE needs the host itself (the ACPI tables, a
                // copy with no seq_count protocol, seq_count sampled alone, the page's address for the suite's writer,
                // a fresh machine, the clones). VMC-DISRUPT-05's FAILing check is on the clones; the older snapshot
                // load, judged from the guest's pages, gives a distinct marker.
                new Profile("HOST_MEMORY", HOST_ONLY, Map.of("VMC-DISRUPT-05", Verdict.PASS)),
                new Profile("LIVE_MIGRATION,SNAPSHOT,HOST_MEMORY",
                        Set.of("VMC-ACPI-04", "VMC-ACPI-05", "VMC-ACPI-06", "VMC-ACPI-07", "VMC-ACPI-08", "VMC-ACPI-09",
                                "VMC-CONT-01", "VMC-CONT-02", "VMC-CONT-04", "VMC-DISRUPT-01", "VMC-DISRUPT-02",
                                "VMC-DISRUPT-04", "VMC-DISRUPT-05", "VMC-DISRUPT-06", "VMC-DRIVER-06", "VMC-DRIVER-07",
                                "VMC-ERR-04", "VMC-LAYOUT-03", "VMC-LAYOUT-07", "VMC-NOTIFY-02", "VMC-SEQ-02",
                                "VMC-SEQ-05", "VMC-SEQ-06", "VMC-SEQ-08"), Map.of()));
    }

    /** The clauses only the host's view can judge on QEMU 10.0 (measured on 10.0.2): NOT_APPLICABLE without it. */
    static final Set<String> HOST_ONLY = Set.of("VMC-ACPI-04", "VMC-ACPI-05", "VMC-ACPI-06", "VMC-ACPI-07",
            "VMC-ACPI-08", "VMC-ACPI-09", "VMC-DRIVER-06", "VMC-DRIVER-07", "VMC-ERR-04", "VMC-LAYOUT-03",
            "VMC-NOTIFY-02", "VMC-SEQ-05", "VMC-SEQ-06", "VMC-SEQ-08");

    /**
     * The clauses that were NOT_APPLICABLE naming HOST_MEMORY on QEMU 10.0 before the guest page source (43 then,
     * measured on 10.0.2 with {@code run --without HOST_MEMORY}) and are judged from the guest's page now.
     */
    static final Set<String> JUDGED_IN_GUEST = Set.of("VMC-LAYOUT-02", "VMC-LAYOUT-04", "VMC-LAYOUT-05",
            "VMC-LAYOUT-06", "VMC-LAYOUT-07", "VMC-CONST-01", "VMC-CONST-02", "VMC-SEQ-01", "VMC-SEQ-02", "VMC-SEQ-03",
            "VMC-SEQ-04", "VMC-DISRUPT-02", "VMC-DISRUPT-03", "VMC-DISRUPT-05", "VMC-DISRUPT-06", "VMC-DISRUPT-07",
            "VMC-DISRUPT-09", "VMC-NOTIFY-01", "VMC-FLAGS-01", "VMC-FLAGS-03", "VMC-COUNTER-01", "VMC-TIME-01",
            "VMC-TIME-02", "VMC-STATUS-01", "VMC-LEAP-01", "VMC-SMEAR-01", "VMC-TAI-03", "VMC-DRIVER-09",
            "VMC-DRIVER-11");

    private SuiteRun full;
    private final Map<String, SuiteRun> runs = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    void fullRun() {
        full = run(Set.of());
        assertThat(full.ids(Verdict.ERROR)).as("ERRORs of the full run").isEmpty();
    }

    /** One run per profile, shared by the tests that judge it (each run boots a guest and drives the history). */
    private SuiteRun runWithout(String without) {
        return runs.computeIfAbsent(without, w -> run(Capability.parseList(w)));
    }

    /**
     * Without the host's view the page is read in the guest: each clause of {@link #JUDGED_IN_GUEST} is judged (PASS
     * or FAIL), by a check whose evidence says the page was read in the guest; every check keeps the full run's verdict
     * or is NOT_APPLICABLE naming HOST_MEMORY, and only the clauses of {@link #HOST_ONLY} turn NOT_APPLICABLE (the
     * profile test above, profile HOST_MEMORY).
     */
    @org.junit.jupiter.api.Test
    void withoutHostMemoryThePageIsJudgedFromTheGuest() throws java.io.IOException {
        SuiteRun run = runWithout("HOST_MEMORY");
        Map<String, ClauseResult> after = byId(run);
        Set<String> judged = new TreeSet<>();
        for (String id : JUDGED_IN_GUEST) {
            ClauseResult c = after.get(id);
            assertThat(c.verdict()).as("%s without HOST_MEMORY: %s", id, c.reason()).isIn(Verdict.PASS, Verdict.FAIL);
            for (TestOutcome t : c.tests()) {
                if ((t.verdict() == Verdict.PASS || t.verdict() == Verdict.FAIL) && readInGuest(t)) {
                    judged.add(id);
                }
            }
        }
        assertThat(judged).as("clauses with a check judged on a page read in the guest (its evidence says so)")
                .isEqualTo(new TreeSet<>(JUDGED_IN_GUEST));
        assertThat(Set.copyOf(JUDGED_IN_GUEST)).as("judged in the guest and host-only are disjoint").doesNotContainAnyElementsOf(HOST_ONLY);
    }

    /** The check's evidence (where its pages were read, or the history it was judged on) says: in the guest. */
    private static boolean readInGuest(TestOutcome t) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of(t.evidenceDir().orElseThrow());
        for (String name : List.of(VmclockView.PAGE_SOURCE, "history.txt")) {
            java.nio.file.Path f = dir.resolve(name);
            if (java.nio.file.Files.exists(f) && java.nio.file.Files.readString(f).contains("read in the guest")) {
                return true;
            }
        }
        return false;
    }

    private static SuiteRun run(Set<Capability> without) {
        TargetOptions config = TargetOptions.defaults().with(b -> b.qemu(HOST_QEMU).accel("tcg").without(without));
        return SuiteRunner.run(config, Set.of(), o -> { });
    }

    @ParameterizedTest(name = "--without {0}")
    @MethodSource("profiles")
    void hiddenCapabilitiesTurnExactlyTheirChecksNotApplicable(Profile profile) {
        SuiteRun run = runWithout(profile.without());
        Map<String, ClauseResult> before = byId(full);
        Map<String, ClauseResult> after = byId(run);

        assertThat(run.ids(Verdict.ERROR)).as("ERRORs: %s", run.clauses().stream()
                .filter(c -> c.verdict() == Verdict.ERROR).map(c -> c.clause().id() + ": " + c.reason()).toList())
                .isEmpty();
        assertThat(after.keySet()).as("clauses judged").isEqualTo(before.keySet());

        Set<String> turned = after.values().stream().filter(c -> c.verdict() == Verdict.NOT_APPLICABLE)
                .map(c -> c.clause().id()).filter(id -> before.get(id).verdict() != Verdict.NOT_APPLICABLE)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(turned).as("clauses that turned NOT_APPLICABLE").isEqualTo(new TreeSet<>(profile.turned()));

        Map<String, Verdict> otherChanges = new TreeMap<>();
        after.forEach((id, c) -> {
            if (!turned.contains(id) && c.verdict() != before.get(id).verdict()) {
                otherChanges.put(id, c.verdict());
            }
        });
        assertThat(otherChanges).as("other clauses whose verdict differs from the full run's")
                .isEqualTo(profile.otherChanges());

        // Per check: whatever differs from the full run is NOT_APPLICABLE, naming a hidden capability.
        Map<String, TestOutcome> fullTests = full.tests().stream()
                .collect(Collectors.toMap(TestOutcome::testName, Function.identity()));
        for (TestOutcome t : run.tests()) {
            if (t.verdict() != fullTests.get(t.testName()).verdict()) {
                assertThat(t.verdict()).as("%s (full run: %s): %s", t.testName(), fullTests.get(t.testName()).verdict(),
                        t.message()).isEqualTo(Verdict.NOT_APPLICABLE);
                assertThat(namesHidden(t.message(), profile)).as("%s names a hidden capability: %s", t.testName(),
                        t.message()).isTrue();
            }
        }
        for (String id : turned) {
            assertThat(after.get(id).tests()).as("%s: a check NOT_APPLICABLE naming a hidden capability", id)
                    .anyMatch(t -> t.verdict() == Verdict.NOT_APPLICABLE && namesHidden(t.message(), profile));
        }
    }

    private static boolean namesHidden(String message, Profile profile) {
        return profile.hidden().stream().anyMatch(c -> message.contains("(capability " + c + ")"));
    }

    private static Map<String, ClauseResult> byId(SuiteRun run) {
        return run.clauses().stream().collect(Collectors.toMap(c -> c.clause().id(), Function.identity(),
                (a, b) -> a, TreeMap::new));
    }
}
