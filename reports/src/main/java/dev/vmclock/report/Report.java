package dev.vmclock.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * report.json, schema {@value #SCHEMA}: what was tested, how, and the verdict on every clause with the
 * evidence behind it. Field names are written in snake_case (see REPORT-FORMAT.md and
 * report-v2.schema.json, which a test keeps in step with this model).
 */
public record Report(String schema, Implementation implementation, RunInfo run, List<ClauseReport> clauses,
                     Totals totals, GateResult gateResult) {

    public static final String SCHEMA = "vmclock-conformance/report/v2";
    /** The schema before the VMM became a field: still read ({@link ReportJson#read}), never written. */
    public static final String SCHEMA_V1 = "vmclock-conformance/report/v1";

    /**
     * The implementation under test and the machine that tested it.
     *
     * @param hop the cross-version hop's destination ({@code run --hop-to}), null when every event stayed on
     *            {@code vmm}; {@code machine} is then the versioned machine type both accept
     */
    public record Implementation(Vmm vmm, String machine, Accelerator accelerator, GuestImageInfo guestImage,
                                 Host host, Hop hop) {

        public Implementation(Vmm vmm, String machine, Accelerator accelerator, GuestImageInfo guestImage, Host host) {
            this(vmm, machine, accelerator, guestImage, host, null);
        }

        /** The report's record of what a provider resolved, with the guest image and the host it ran on. */
        public static Implementation of(dev.vmclock.conformance.vm.Implementation i, GuestImageInfo guestImage,
                                        Host host) {
            return new Implementation(new Vmm(i.vmm(), i.version(), i.path(), i.where(), i.details()), i.machine(),
                    new Accelerator(i.accelerator(), i.acceleratorReason()), guestImage, host,
                    i.hop().map(h -> new Hop(new Vmm(i.vmm(), h.version(), h.path(), h.where(), h.details()),
                            h.machineType())).orElse(null));
        }

        /**
         * "QEMU 11.1.3 (image) -> 11.2.0, q35, tcg": the console, JUnit XML and Allure name the implementation so,
         * as {@link dev.vmclock.conformance.vm.Implementation#describe()} does.
         */
        public String describe() {
            return vmm.displayName() + " " + vmm.version() + (vmm.isLocal() ? "" : " (" + vmm.where() + ")")
                    + (hop == null ? "" : " -> " + hop.vmm().version()) + ", " + machine + ", " + accelerator.name();
        }

        /** {@link #describe()} and the run's reference clock: two runs of one implementation stay apart. */
        public String describe(String referenceClock) {
            return describe() + (referenceClock == null ? "" : ", reference clock " + referenceClock);
        }
    }

    /**
     * A cross-version hop: every event that started a new VMM process (live migration, restore from a file,
     * snapshot load) started it from {@code vmm}, on {@code machineType}, after a return hop to the source.
     */
    public record Hop(Vmm vmm, String machineType) {
    }

    /**
     * The VMM under test.
     *
     * @param name    the provider's name: {@code qemu}, {@code firecracker}, an adapter's own
     * @param where   {@code local}, or the container image it ran in
     * @param details further facts naming it, e.g. an image's package versions; empty when none
     */
    public record Vmm(String name, String version, String path, String where, Map<String, String> details) {
        public Vmm {
            where = where == null ? "local" : where;
            details = details == null ? Map.of() : Map.copyOf(details);
        }

        public Vmm(String name, String version, String path) {
            this(name, version, path, "local", Map.of());
        }

        /** QEMU, Firecracker, ...: the spelling of the conformance record, so every output agrees. */
        public String displayName() {
            return dev.vmclock.conformance.vm.Implementation.displayName(name);
        }

        boolean isLocal() {
            return "local".equals(where);
        }
    }

    public record Accelerator(String name, String reason) {
    }

    /**
     * The guest kernel and initramfs. {@code manifest} is the image builder's manifest.json as written,
     * null for a bring-your-own image.
     */
    public record GuestImageInfo(String kernel, String initramfs, String kernelRelease, JsonNode manifest) {
    }

    public record Host(String hostname, String kernel, int cpus) {
    }

    /**
     * How the suite ran: when, which suite version, the reference clock the harness published (null when
     * none), the clause selection (empty: everything) and the gate asked for ({@code must} or {@code should}).
     */
    public record RunInfo(String date, String suiteVersion, String referenceClock, List<String> selection, String gate,
                          long elapsedMs) {
    }

    /** One clause of spec-map.md that at least one test checked. */
    /**
     * @param expectation how the verdict compares with the run's expectations file; null when none was given
     */
    public record ClauseReport(String id, String verdict, String strength, String section, String source, String rule,
                               String reason, List<TestReport> tests,
                               @JsonInclude(JsonInclude.Include.NON_NULL) Expected expectation) {

        public ClauseReport(String id, String verdict, String strength, String section, String source, String rule,
                            String reason, List<TestReport> tests) {
            this(id, verdict, strength, section, source, rule, reason, tests, null);
        }
    }

    /**
     * A verdict held against an expectations file ({@code run --expectations}).
     *
     * @param expected the verdict the file expects; null where it has no entry (PASS or NOT_APPLICABLE expected)
     * @param outcome  {@code expected}, {@code unexpected} (a FAIL or ERROR nothing expected) or
     *                 {@code unexpected-pass} (better than expected: a stale entry)
     * @param reason   the entry's reason, null without an entry
     * @param link     the entry's link, if it has one
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Expected(String expected, String outcome, String reason, String link) {
    }

    /**
     * One test. {@code evidenceDir} is relative to the report's directory (null when the test wrote none);
     * {@code evidenceFiles} are the file names in it.
     */
    public record TestReport(String test, String verdict, String message, long durationMs, String evidenceDir,
                             List<String> evidenceFiles,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Expected expectation) {

        public TestReport(String test, String verdict, String message, long durationMs, String evidenceDir,
                          List<String> evidenceFiles) {
            this(test, verdict, message, durationMs, evidenceDir, evidenceFiles, null);
        }
    }

    /** Clause counts: by verdict, and by strength then verdict. Every key is present, zeros included. */
    public record Totals(int clauses, Map<String, Integer> byVerdict, Map<String, Map<String, Integer>> byStrength) {
    }

    /**
     * The gate's outcome: whether it holds, the clauses that break it, and why the suite could not run
     * at all if that happened (null otherwise).
     */
    public record GateResult(String gate, boolean holds, List<String> failing, String containerFailure,
                             @JsonInclude(JsonInclude.Include.NON_NULL) ExpectationsResult expectations,
                             @JsonInclude(JsonInclude.Include.NON_NULL) BaselineResult baseline) {

        public GateResult(String gate, boolean holds, List<String> failing, String containerFailure) {
            this(gate, holds, failing, containerFailure, null, null);
        }
    }

    /**
     * The run held against an expectations file: clause counts by outcome, and each unexpected result in one
     * line ({@code CLAUSE CHECK: VERDICT, expected VERDICT}).
     *
     * @param implementation the record the entries' conditions were matched against
     * @param entries        how many entries applied to it
     */
    public record ExpectationsResult(String file, String implementation, int entries, Map<String, Integer> outcomes,
                                     List<String> unexpected, List<String> unexpectedPass) {
    }

    /**
     * The run held against a baseline run: every check that got worse and every one that got better, as
     * {@code CLAUSE CHECK: BEFORE -> AFTER}, and the clauses the baseline judged and this run did not.
     */
    public record BaselineResult(String baseline, String implementation, List<String> worse, List<String> better,
                                 List<String> notJudged) {
    }
}
