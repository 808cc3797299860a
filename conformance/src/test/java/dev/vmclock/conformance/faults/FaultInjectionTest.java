package dev.vmclock.conformance.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Shards;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.PageField;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The suite proves it can fail: the whole suite runs through the Launcher (as the CLI does) against stock
 * QEMU and against deliberately broken implementations, and exactly the expected clauses FAIL, nothing
 * ERRORs. The expected sets are the rules each fault breaks, plus the cascade every such page must cause.
 */
@ExtendWith(GuestSlots.class) // every run here boots a guest
@ExtendWith(Shards.class)
class FaultInjectionTest {

    /** The full tier's tag: every fault. {@code ./mvnw verify -Pquick} leaves these out (see README). */
    static final String FULL_TIER = "faults";

    private static final Path PAGES = pagesDir();

    private static Path pagesDir() {
        try {
            return Files.createTempDirectory("vmclock-fault-pages");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * {@code -Dvmclock.faults=TEXT} runs only the faults whose name contains TEXT (while working on one;
     * {@code A|B} for either); CI sets nothing and runs them all.
     */
    static Stream<Fault> faults() {
        List<String> only = List.of(System.getProperty("vmclock.faults", "").split("\\|"));
        return allFaults().filter(f -> only.stream().anyMatch(f.name()::contains));
    }

    static Stream<Fault> allFaults() {
        Set<String> stock = Fault.STOCK_DEVIATIONS;
        Set<String> stockWithoutTai = Set.of("VMC-DISRUPT-05");
        return Stream.of(
                Fault.page(PAGES, "wrong magic", p -> PageField.MAGIC.write(p, 0x4b4c4357L), stock,
                        "VMC-LAYOUT-01", "VMC-ACPI-09", "VMC-DRIVER-01"),
                Fault.page(PAGES, "size larger than the region", p -> PageField.SIZE.write(p, 0x2000), stock,
                        "VMC-LAYOUT-03", "VMC-DRIVER-01"),
                // The driver refuses a structure smaller than it knows (DRIVER-01), so no guest view either.
                Fault.page(PAGES, "size smaller than the structure", p -> PageField.SIZE.write(p, 0x40), stock,
                        "VMC-LAYOUT-03", "VMC-LAYOUT-04", "VMC-LAYOUT-05", "VMC-DRIVER-01"),
                Fault.page(PAGES, "undefined clock_status, leap_indicator and smearing hint", p -> {
                    PageField.CLOCK_STATUS.write(p, 9);
                    PageField.LEAP_INDICATOR.write(p, 7);
                    PageField.LEAP_SECOND_SMEARING_HINT.write(p, 9);
                }, stock, "VMC-STATUS-01", "VMC-LEAP-01", "VMC-SMEAR-01"),
                Fault.page(PAGES, "version 2", p -> PageField.VERSION.write(p, 2), stock,
                        "VMC-LAYOUT-06", "VMC-DRIVER-01"),
                // The device presents an odd seq_count at boot; the suite's own first update completes it.
                Fault.page(PAGES, "seq_count odd at rest", p -> PageField.SEQ_COUNT.write(p, 3), stock,
                        "VMC-SEQ-01"),
                // An undefined counter names no clock: the clock clauses are NOT_APPLICABLE, not failed by cascade.
                Fault.page(PAGES, "unknown counter_id", p -> PageField.COUNTER_ID.write(p, 0x42), stock,
                        "VMC-COUNTER-01"),
                Fault.page(PAGES, "smeared time_type", p -> PageField.TIME_TYPE.write(p, 3), stock,
                        "VMC-TIME-01", "VMC-TIME-02"),
                Fault.page(PAGES, "TAI offset flag with an absurd offset", p -> {
                    PageField.FLAGS.write(p, Flag.TAI_OFFSET_VALID.mask());
                    PageField.TAI_OFFSET_SEC.write(p, 0x8000);
                }, stockWithoutTai, "VMC-TAI-01", "VMC-TAI-04", "VMC-FLAGS-02"),
                // UAPI.13 v1.0's example value, TAI - UTC: v1.1 settled the field as UTC - TAI, -37 today.
                Fault.page(PAGES, "TAI offset +37 (the sign v1.1 retired)", p -> {
                    PageField.FLAGS.write(p, Flag.TAI_OFFSET_VALID.mask());
                    PageField.TAI_OFFSET_SEC.write(p, 37);
                }, stockWithoutTai, "VMC-TAI-04", "VMC-FLAGS-02"),
                // The flag's bit and the counter's offset are seen only from a counter that moves: NOT_APPLICABLE here.
                Fault.page(PAGES, "generation counter advertised, never bumped",
                        p -> PageField.FLAGS.write(p, Flag.VM_GEN_COUNTER_PRESENT.mask()), stock,
                        "VMC-GEN-01", "VMC-GEN-02", "VMC-GEN-03", "VMC-GEN-04", "VMC-GEN-10", "VMC-GEN-11"),
                // Bumped after every event the suite drives in place; a clone restored elsewhere gets none (GEN-04).
                Fault.page(PAGES, "generation counter advertised",
                        p -> PageField.FLAGS.write(p, Flag.VM_GEN_COUNTER_PRESENT.mask()), stock)
                        .withRuntime(new GenerationFaults.GenerationOnEveryEvent(), "generation counter bumped by every event",
                                "VMC-GEN-04", "VMC-GEN-06", "VMC-GEN-09", "VMC-GEN-11", "VMC-GEN-12"),
                // Each restore toggles the counter's low bit: it changes every time, but back to a value the guest
                // saw. Clones and siblings, restored beside the target, get no change (GEN-04, GEN-11).
                Fault.page(PAGES, "generation counter advertised",
                        p -> PageField.FLAGS.write(p, Flag.VM_GEN_COUNTER_PRESENT.mask()), stock)
                        .withRuntime(new GenerationFaults.GenerationAlternates(), "generation counter alternating between two values",
                                "VMC-GEN-04", "VMC-GEN-11", "VMC-GEN-13"),
                // v1.0's offset: the counter bumped at 0x64, inside time_maxerror_nanosec; 0x68 never moves.
                Fault.page(PAGES, "generation counter advertised",
                        p -> PageField.FLAGS.write(p, Flag.VM_GEN_COUNTER_PRESENT.mask()), stock)
                        .withRuntime(new GenerationFaults.GenerationAtV10Offset(), "generation counter at 0x64 (UAPI.13 v1.0's offset)",
                                "VMC-LAYOUT-07", "VMC-GEN-01", "VMC-GEN-02", "VMC-GEN-03", "VMC-GEN-04", "VMC-GEN-10",
                                "VMC-GEN-11"),
                // v1.0's flag table: the counter runs (bumped by every event) but is announced by bit 7.
                Fault.page(PAGES, "bit 7 set",
                        p -> PageField.FLAGS.write(p, Flag.TIME_MONOTONIC.mask()), stock)
                        .withRuntime(new GenerationFaults.GenerationOnEveryEvent(),
                                "generation counter announced by bit 7 (UAPI.13 v1.0's flag table)", "VMC-FLAGS-01"),
                Fault.page(PAGES, "unknown flag bits", p -> PageField.FLAGS.write(p, 1L << 40), stock,
                        "VMC-FLAGS-01"),
                // The guest counts no SCI or GED interrupt after loadvm, migration or restore, and the AML has no
                // Notify(VCLK, 0x80). VMC-NOTIFY-04 has no wake-up to judge (NOT_APPLICABLE).
                Fault.page(PAGES, "notification flag advertised without notifications",
                        p -> PageField.FLAGS.write(p, Flag.NOTIFICATION_PRESENT.mask()), stock,
                        "VMC-NOTIFY-03", "VMC-NOTIFY-05"),
                Fault.noDevice("VMC-ACPI-04", "VMC-ACPI-06", "VMC-ACPI-07", "VMC-ACPI-08", "VMC-ACPI-09", "VMC-DRIVER-01"),
                // The host sees the page, the guest finds no device: the discovery clauses FAIL, and every check that
                // needs the guest's view is NOT_APPLICABLE naming them (spec-map.md Errata 18).
                Fault.qemuArgs("machine whose guest cannot find the device (no ACPI)", List.of("-machine", "acpi=off"),
                        undiscovered()),
                // QEMU 10.0 accepts -device vmclock on microvm but leaves it out of microvm's DSDT.
                Fault.machine("microvm machine whose guest cannot find the device", "microvm", undiscovered()),
                // The device is described, under identities no driver matches (an SSDT stores them over QEMU's).
                Fault.acpiTable(PAGES, "ACPI _HID and _CID of the device wrong (AMZNC10D, VMCLOCKX)",
                        new IdentityOverride("AMZNC10D", "VMCLOCKX"), undiscovered()),
                Fault.runtime("field changed without seq_count change", new SeqCountFaults.FieldWithoutSeqCount(), "VMC-SEQ-05"),
                // QEMU's own restore moves seq_count on to an even value again, so VMC-SEQ-03 holds
                Fault.runtime("seq_count left odd", new SeqCountFaults.SeqCountLeftOdd(), "VMC-SEQ-01", "VMC-SEQ-06"),
                Fault.runtime("constant field rewritten after an event", new ConstantFaults.ConstantRewrittenAfterEvent(), "VMC-CONST-02"),
                Fault.runtime("seq_count put back after an update", new SeqCountFaults.SeqCountKeptAcrossUpdate(), "VMC-SEQ-02",
                        "VMC-SEQ-03"),
                Fault.runtime("marker on the wrong events", new DisruptionFaults.MarkerOnWrongEvents(), "VMC-DISRUPT-01",
                        "VMC-DISRUPT-04", "VMC-DISRUPT-06", "VMC-DISRUPT-07"),
                Fault.runtime("marker rolled back after a restore", new DisruptionFaults.MarkerRolledBackAfterRestore(),
                        "VMC-DISRUPT-02", "VMC-DISRUPT-03", "VMC-DISRUPT-04"),
                // Every change differs from the value before it (DISRUPT-04 holds), but goes back to an earlier one.
                Fault.runtime("marker alternating between two values", new DisruptionFaults.MarkerAlternates(), "VMC-DISRUPT-09"),
                // The guest sees no change at 0x10 (DISRUPT-01 to -04); loadvm's change lands in a clock field.
                Fault.runtime("marker written at the wrong offset", new DisruptionFaults.MarkerAtWrongOffset(), "VMC-LAYOUT-07",
                        "VMC-DISRUPT-01", "VMC-DISRUPT-02", "VMC-DISRUPT-03", "VMC-DISRUPT-04"),
                // The magic's bytes in big-endian order: "KLCV" in memory.
                Fault.page(PAGES, "magic stored big-endian",
                        p -> PageField.MAGIC.write(p, Integer.toUnsignedLong(Integer.reverseBytes(0x4b4c4356))), stock,
                        "VMC-LAYOUT-01", "VMC-LAYOUT-02", "VMC-ACPI-09", "VMC-DRIVER-01"),
                // A counter is now advertised, on QEMU's page with UTC and no period or time data: the time type
                // (TIME-03, -04) and the period (TIME-07: no frequency at all, TIME-08) are judged and FAIL too.
                Fault.page(PAGES, "counter_id ARM_VCNT on an x86 guest", p -> PageField.COUNTER_ID.write(p, 0x00), stock,
                        "VMC-COUNTER-02", "VMC-TIME-03", "VMC-TIME-04", "VMC-TIME-07", "VMC-TIME-08"),
                // Between any two host copies time_type changed with seq_count unchanged: SEQ-05 compares whole
                // copies, constants included (noticed, left as it is), and every event's before/after differ (CONST-02).
                Fault.runtime("constant field changed while running", new ConstantFaults.ConstantChangedWhileRunning(),
                        "VMC-CONST-01", "VMC-CONST-02", "VMC-SEQ-05"),
                Fault.runtime("seq_count decreasing across chained events", new SeqCountFaults.SeqCountDecreases(), "VMC-SEQ-04"),
                // A correct counter everywhere else (new values on every restore, in place and in clones).
                Fault.page(PAGES, "generation counter advertised",
                        p -> PageField.FLAGS.write(p, Flag.VM_GEN_COUNTER_PRESENT.mask()), stock)
                        .withRuntime(new GenerationFaults.GenerationChangedByReset(), "generation counter changed by system_reset",
                                "VMC-GEN-07"),
                Fault.clock("error fields flagged valid but out of range", new ClockDataFaults.ErrorFieldsOutOfRange(),
                        "VMC-FLAGS-06", "VMC-FLAGS-07", "VMC-FLAGS-08", "VMC-FLAGS-09"),
                Fault.clock("leap indicator POS outside a leap second", new ClockDataFaults.LeapIndicatorWrong(), "VMC-LEAP-02"),
                Fault.clock("time stepped out of its bounds by live migration", new ClockDataFaults.TimeSteppedOutOfBounds(),
                        "VMC-ERR-03"),
                // Two minutes is also far outside the 5 ms maximum error the page declares (ERR-02).
                Fault.clock("free-running clock two minutes ahead", new ClockDataFaults.FreerunningTwoMinutesAhead(), "VMC-STATUS-03",
                        "VMC-TIME-05", "VMC-ERR-02"),
                Fault.clock("TIME_MONOTONIC advertised, time stepped back", new ClockDataFaults.MonotonicTimeStepsBack(), "VMC-FLAGS-10",
                        "VMC-FLAGS-11", "VMC-ERR-03"),
                // Fields change under the old even seq_count: racing readers take torn copies (SEQ-08 read(), ERR-04
                // seqlock loop), and a held-odd update is never odd for the driver to wait on (SEQ-08, DRIVER-06).
                Fault.runtime("update without an odd seq_count", new SeqCountFaults.FieldsBeforeSeqCount(), "VMC-SEQ-08",
                        "VMC-DRIVER-06", "VMC-ERR-04"),
                // Each update holds seq_count odd 300 ms: the sampler sees it (SEQ-06); a guest read() racing such
                // updates gives up, which SEQ-06 judges (NOT_APPLICABLE there).
                Fault.runtime("update holding seq_count odd for 300 ms", new SeqCountFaults.SlowOddWindow(), "VMC-SEQ-06"));
    }

    /**
     * A device the host sees and the guest cannot discover: the discovery clauses (what the host's ACPI tables
     * say: VMC-ACPI-04 to -09) and the driver clause they lead to (VMC-DRIVER-01, the driver binds). The checks
     * that need the guest's view of the page (read(), mmap(), poll(), the seqlock loop) are NOT_APPLICABLE, each
     * naming the discovery clause that FAILs, so one defect FAILs its own clauses only.
     */
    private static String[] undiscovered() {
        return new String[] {"VMC-ACPI-04", "VMC-ACPI-05", "VMC-ACPI-06", "VMC-ACPI-07", "VMC-ACPI-08", "VMC-ACPI-09",
            "VMC-DRIVER-01"};
    }

    /**
     * The faults whose clauses the suite judges from the guest's page too, each run again with the host's view of guest
     * memory hidden ({@code --without HOST_MEMORY}: the page is read in the guest, {@code PageSource.Guest}), with the
     * exact clauses that must FAIL then. A clause the fault FAILs with the host's view and not here is one only the
     * host can judge (the clones restored beside the target, a fresh machine, the ACPI tables): each must be
     * NOT_APPLICABLE naming HOST_MEMORY. Left out, and why:
     * <ul>
     *   <li>pages a driver must refuse (wrong magic, size or version, big-endian magic) and devices a guest cannot
     *       discover (no device, acpi=off, microvm, a wrong _HID): the guest has no /dev/vmclock0 to read, and their
     *       clauses are the host's; VMC-DRIVER-01, the one a guest judges, is judged the same way with the host's view;</li>
     *   <li>an odd seq_count (at rest, left odd, held odd 300 ms): a reader under the seq_count protocol never returns an
     *       odd seq_count, it gives up (an ERROR quoting ETIMEDOUT), and only the host's raw copy and sampler see it;</li>
     *   <li>a field or constant changed without seq_count, and an update without an odd seq_count: the first two are
     *       injected on the host's copies of the page, and the third is judged against the suite's own racing writer,
     *       which needs the page's address from the host's view;</li>
     *   <li>a generation counter changed by system_reset: a fresh machine has no guest of the suite's.</li>
     * </ul>
     */
    static Stream<Fault> faultsSeenFromTheGuest() {
        Map<String, Fault> all = allFaults().collect(Collectors.toMap(Fault::name, f -> f));
        Set<String> stock = Fault.GUEST_STOCK_DEVIATIONS;
        Set<String> none = Set.of();
        // A marker fault also breaks what the older snapshot load shows, judged from the guest's pages too.
        Set<String> markerStock = Set.of("VMC-FLAGS-03", "VMC-TAI-03", "VMC-DISRUPT-05");
        List<Fault> guest = List.of(
                all.get("undefined clock_status, leap_indicator and smearing hint").seenFromTheGuest(stock,
                        "VMC-STATUS-01", "VMC-LEAP-01", "VMC-SMEAR-01"),
                all.get("unknown counter_id").seenFromTheGuest(stock, "VMC-COUNTER-01"),
                all.get("smeared time_type").seenFromTheGuest(stock, "VMC-TIME-01", "VMC-TIME-02"),
                all.get("TAI offset flag with an absurd offset").seenFromTheGuest(none, "VMC-TAI-01", "VMC-TAI-04",
                        "VMC-FLAGS-02"),
                all.get("TAI offset +37 (the sign v1.1 retired)").seenFromTheGuest(none, "VMC-TAI-04", "VMC-FLAGS-02"),
                // GEN-04 and GEN-11 are judged on clones, seen from the host only.
                all.get("generation counter advertised, never bumped").seenFromTheGuest(stock, "VMC-GEN-01",
                        "VMC-GEN-02", "VMC-GEN-03", "VMC-GEN-10"),
                all.get("generation counter bumped by every event").seenFromTheGuest(stock, "VMC-GEN-06",
                        "VMC-GEN-09", "VMC-GEN-12"),
                all.get("generation counter alternating between two values").seenFromTheGuest(stock, "VMC-GEN-13"),
                all.get("generation counter at 0x64 (UAPI.13 v1.0's offset)").seenFromTheGuest(stock, "VMC-LAYOUT-07",
                        "VMC-GEN-01", "VMC-GEN-02", "VMC-GEN-03", "VMC-GEN-10"),
                all.get("generation counter announced by bit 7 (UAPI.13 v1.0's flag table)").seenFromTheGuest(stock,
                        "VMC-FLAGS-01"),
                all.get("unknown flag bits").seenFromTheGuest(stock, "VMC-FLAGS-01"),
                // NOTIFY-05 reads the AML from the host.
                all.get("notification flag advertised without notifications").seenFromTheGuest(stock, "VMC-NOTIFY-03"),
                all.get("constant field rewritten after an event").seenFromTheGuest(stock, "VMC-CONST-02"),
                all.get("seq_count put back after an update").seenFromTheGuest(stock, "VMC-SEQ-02", "VMC-SEQ-03"),
                all.get("marker on the wrong events").seenFromTheGuest(markerStock, "VMC-DISRUPT-01", "VMC-DISRUPT-04",
                        "VMC-DISRUPT-06", "VMC-DISRUPT-07"),
                all.get("marker rolled back after a restore").seenFromTheGuest(markerStock, "VMC-DISRUPT-02",
                        "VMC-DISRUPT-03", "VMC-DISRUPT-04"),
                all.get("marker alternating between two values").seenFromTheGuest(markerStock, "VMC-DISRUPT-09"),
                all.get("marker written at the wrong offset").seenFromTheGuest(markerStock, "VMC-LAYOUT-07",
                        "VMC-DISRUPT-01", "VMC-DISRUPT-02", "VMC-DISRUPT-03", "VMC-DISRUPT-04"),
                all.get("counter_id ARM_VCNT on an x86 guest").seenFromTheGuest(stock, "VMC-COUNTER-02", "VMC-TIME-03",
                        "VMC-TIME-04", "VMC-TIME-07", "VMC-TIME-08"),
                all.get("seq_count decreasing across chained events").seenFromTheGuest(stock, "VMC-SEQ-04"),
                // The reference clock brings a TAI offset: no stock deviation is left.
                all.get("error fields flagged valid but out of range").seenFromTheGuest(none, "VMC-FLAGS-06",
                        "VMC-FLAGS-07", "VMC-FLAGS-08", "VMC-FLAGS-09"),
                all.get("leap indicator POS outside a leap second").seenFromTheGuest(none, "VMC-LEAP-02"),
                all.get("time stepped out of its bounds by live migration").seenFromTheGuest(none, "VMC-ERR-03"),
                all.get("free-running clock two minutes ahead").seenFromTheGuest(none, "VMC-STATUS-03", "VMC-TIME-05",
                        "VMC-ERR-02"),
                all.get("TIME_MONOTONIC advertised, time stepped back").seenFromTheGuest(none, "VMC-FLAGS-10",
                        "VMC-FLAGS-11", "VMC-ERR-03"));
        List<String> only = List.of(System.getProperty("vmclock.faults", "").split("\\|"));
        return guest.stream().filter(f -> only.stream().anyMatch(f.name()::contains));
    }

    /** Each fault's name and the exact clauses it FAILs (EveryMustClauseIsProvenTest unions them). */
    static Map<String, Set<String>> expectedFailSets() {
        return allFaults().collect(Collectors.toMap(Fault::name, Fault::expectedFailures));
    }

    @Test
    void stockQemuFailsOnlyTheShouldLevelDeviationsItHas() {
        SuiteRun run = SuiteRunner.run(Fault.STOCK, Set.of(), o -> { });
        assertThat(run.ids(Verdict.ERROR)).as("ERRORs: %s", describe(run, Verdict.ERROR)).isEmpty();
        assertThat(run.ids(Verdict.FAIL)).as("FAILs: %s", describe(run, Verdict.FAIL))
                .containsExactlyInAnyOrderElementsOf(Fault.STOCK_DEVIATIONS);
        assertThat(run.ids(Verdict.PASS)).as("clauses stock QEMU passes").hasSizeGreaterThan(40);
        assertThat(run.gateHolds(SuiteRun.Gate.MUST)).isTrue();
        assertThat(run.gateHolds(SuiteRun.Gate.SHOULD)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    @Execution(ExecutionMode.CONCURRENT)
    @Tag(FULL_TIER)
    void brokenImplementationFailsExactlyItsClauses(Fault fault) {
        SuiteRun run = SuiteRunner.run(fault.options(), fault.decorator(), Set.of(), o -> { });
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        assertThat(run.ids(Verdict.ERROR)).as("ERRORs under '%s': %s", fault, describe(run, Verdict.ERROR)).isEmpty();
        assertThat(run.ids(Verdict.FAIL)).as("FAILs under '%s': %s", fault, describe(run, Verdict.FAIL))
                .containsExactlyInAnyOrderElementsOf(fault.expectedFailures());
    }

    /**
     * The same faults judged on the page as the guest reads it: exactly the expected clauses FAIL, nothing ERRORs, and
     * each clause the fault FAILs with the host's view but not here has a check NOT_APPLICABLE naming HOST_MEMORY (the
     * clause is NOT_APPLICABLE, or PASSes on its other checks, as VMC-DISRUPT-05 on the older snapshot load).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("faultsSeenFromTheGuest")
    @Execution(ExecutionMode.CONCURRENT)
    @Tag(FULL_TIER)
    void brokenImplementationSeenFromTheGuestFailsExactlyItsClauses(Fault fault) {
        SuiteRun run = SuiteRunner.run(fault.options(), fault.decorator(), Set.of(), o -> { });
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        assertThat(run.ids(Verdict.ERROR)).as("ERRORs under '%s': %s", fault, describe(run, Verdict.ERROR)).isEmpty();
        assertThat(run.ids(Verdict.FAIL)).as("FAILs under '%s': %s", fault, describe(run, Verdict.FAIL))
                .containsExactlyInAnyOrderElementsOf(fault.expectedFailures());
        String hostName = fault.name().substring(0, fault.name().lastIndexOf(", page read in the guest"));
        Set<String> withHost = expectedFailSets().get(hostName);
        for (String id : withHost) {
            if (!fault.expectedFailures().contains(id)) {
                ClauseResult c = run.clause(id).orElseThrow();
                assertThat(c.tests()).as("%s, FAILed with the host's view: a check NOT_APPLICABLE naming "
                        + "HOST_MEMORY (%s)", id, c.verdict()).anyMatch(t ->
                        t.verdict() == Verdict.NOT_APPLICABLE && t.message().contains("(capability HOST_MEMORY)"));
            }
        }
    }

    private static String describe(SuiteRun run, Verdict v) {
        List<ClauseResult> rs = run.clauses().stream().filter(c -> c.verdict() == v).toList();
        return rs.stream().map(c -> c.clause().id() + " (" + c.reason().replaceAll("\\s+", " ") + ")")
                .collect(Collectors.joining("; "));
    }
}
