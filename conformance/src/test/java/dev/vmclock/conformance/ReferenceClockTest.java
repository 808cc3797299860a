package dev.vmclock.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.clock.ReferenceClock;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.vm.TargetOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * QEMU publishes no clock, so the harness plays a hypervisor that does (qtest writes under the seq_count
 * protocol): the clock clauses PASS on correct data and FAIL on wrong data.
 */
@Execution(ExecutionMode.CONCURRENT) // each test is a run of its own, on its own machine
@ExtendWith(GuestSlots.class)
public class ReferenceClockTest {

    /** The areas whose rules are about clock data. */
    private static final Set<String> CLOCK_AREAS = Set.of("COUNTER", "TIME", "STATUS", "ERR", "TAI", "FLAGS", "LEAP",
            "DRIVER");

    /** Each wrong clock and the exact clauses it FAILs (read by faults.EveryMustClauseIsProvenTest). */
    public static Map<String, Set<String>> expectedFailSets() {
        return Map.of("reference clock time-off", Set.of("VMC-STATUS-02", "VMC-ERR-02"),
                "reference clock tai-plus-37", Set.of("VMC-TAI-04", "VMC-FLAGS-02"),
                "reference clock rate-off", Set.of("VMC-TIME-06", "VMC-STATUS-02", "VMC-ERR-02"),
                "reference clock steps-back", Set.of("VMC-FLAGS-10", "VMC-FLAGS-11", "VMC-ERR-03"));
    }

    private static Set<String> expected(String clock) {
        return expectedFailSets().get("reference clock " + clock);
    }

    private static SuiteRun run(String clock) {
        return SuiteRunner.run(TargetOptions.defaults().with(b -> b.clock(ReferenceClock.parse(clock))), CLOCK_AREAS, o -> { });
    }

    private static String failures(SuiteRun r) {
        return r.clauses().stream().filter(c -> c.verdict() != Verdict.PASS && c.verdict() != Verdict.NOT_APPLICABLE)
                .map(c -> c.clause().id() + " " + c.verdict() + " (" + c.reason().replaceAll("\\s+", " ") + ")")
                .collect(Collectors.joining("; "));
    }

    @Test
    void correctClockDataPassesTheClockClauses() {
        SuiteRun r = run("good");
        assertThat(r.ids(Verdict.ERROR)).as(failures(r)).isEmpty();
        assertThat(r.ids(Verdict.FAIL)).as(failures(r)).isEmpty();
        assertThat(r.ids(Verdict.PASS)).containsAll(List.of("VMC-COUNTER-02", "VMC-TIME-04", "VMC-TIME-05",
                "VMC-TIME-06", "VMC-TIME-07", "VMC-TIME-08", "VMC-STATUS-02", "VMC-ERR-02", "VMC-ERR-03", "VMC-TAI-01",
                "VMC-TAI-03", "VMC-TAI-04", "VMC-FLAGS-02", "VMC-FLAGS-03", "VMC-FLAGS-06", "VMC-FLAGS-07",
                "VMC-FLAGS-08", "VMC-FLAGS-09", "VMC-FLAGS-10", "VMC-FLAGS-11",
                // what the guest does with the data, through its PTP clock (temporary pages, restored after)
                "VMC-STATUS-04", "VMC-ERR-01", "VMC-LEAP-03", "VMC-DRIVER-12", "VMC-TAI-02"));
    }

    @Test
    void referenceTimeOffByTwoSecondsFailsCorrectnessAndBounds() {
        SuiteRun r = run("time-off");
        assertThat(r.ids(Verdict.ERROR)).as(failures(r)).isEmpty();
        assertThat(r.ids(Verdict.FAIL)).as(failures(r)).containsExactlyInAnyOrderElementsOf(expected("time-off"));
    }

    /**
     * The right clock with UAPI.13 v1.0's +37 in tai_offset_sec: only the offset's own clauses FAIL. The
     * page's time is compared with the host through today's TAI - UTC, and the guest's TAI from a UTC page
     * stays self-consistent, so nothing else may cascade from the sign.
     */
    @Test
    void taiOffsetWithTheRetiredSignFailsOnlyTheOffset() {
        SuiteRun r = run("tai-plus-37");
        assertThat(r.ids(Verdict.ERROR)).as(failures(r)).isEmpty();
        assertThat(r.ids(Verdict.FAIL)).as(failures(r)).containsExactlyInAnyOrderElementsOf(expected("tai-plus-37"));
    }

    @Test
    void periodTwentyPercentOffFailsTheRate() {
        SuiteRun r = run("rate-off");
        assertThat(r.ids(Verdict.ERROR)).as(failures(r)).isEmpty();
        // The rate is judged directly (TIME-06); the time drifts 0.2 s per second from the reference point,
        // so by the time it is checked it is also outside the advertised bounds.
        assertThat(r.ids(Verdict.FAIL)).as(failures(r)).containsExactlyInAnyOrderElementsOf(expected("rate-off"));
    }

    /**
     * A routine update the check itself prompts steps the time a second back: earlier than before (TIME_MONOTONIC,
     * both forms) and outside the maximum error the replaced page declared. The next check starts from a fresh
     * anchor, so nothing else may cascade.
     */
    @Test
    void updateSteppingBackFailsMonotonicityAndEarlierBounds() {
        SuiteRun r = run("steps-back");
        assertThat(r.ids(Verdict.ERROR)).as(failures(r)).isEmpty();
        assertThat(r.ids(Verdict.FAIL)).as(failures(r)).containsExactlyInAnyOrderElementsOf(expected("steps-back"));
    }
}
