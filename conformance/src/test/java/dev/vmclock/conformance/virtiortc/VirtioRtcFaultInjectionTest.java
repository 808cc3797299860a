package dev.vmclock.conformance.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.SuiteRun;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The VRTC area proves it can fail: once per broken device (faults in {@code faults/}, selected with
 * {@code vmclock.vrtcFault}), exactly the expected clauses FAIL (the stock deviations plus the fault's own),
 * nothing ERRORs. Needs a QEMU with virtio-rtc-pci ({@code -Dvmclock.rtcImage}).
 */
public class VirtioRtcFaultInjectionTest {

    static Stream<Arguments> faults() {
        return Stream.of(
                // READ_CROSS now "succeeds" with the buffer's untouched 0xaa bytes as its reading (READ-12).
                fault("errors-reported-ok", "VRTC-OP-02", "VRTC-OP-04", "VRTC-OP-06", "VRTC-ALARM-05", "VRTC-READ-10",
                        "VRTC-CTRL-04", "VRTC-READ-12"),
                fault("used-length-short", "VRTC-VIRTIO-04"),
                fault("reading-steps-back", "VRTC-READ-03", "VRTC-READ-06", "VRTC-READ-07"),
                // Without a known type no clock is UTC-like: the time-standard checks are NOT_APPLICABLE.
                fault("undefined-clock-type", "VRTC-CTRL-01"),
                fault("reserved-byte-set", "VRTC-OP-14"),
                fault("flag-beyond-features", "VRTC-OP-15"),
                fault("writes-readable-buffer", "VRTC-VIRTIO-05"),
                // No clock has ALARM_CAP and the alarm requests answer EOPNOTSUPP: every other alarm check is N/A.
                fault("alarm-offered-not-honoured", "VRTC-VQ-02", "VRTC-ALARM-04", "VRTC-ALREQ-02"),
                // Clock 0 still answers: READ and CLOCK_CAP of "no clock" are OK. With no clock to pick, the stock
                // failures that need one (OP-05, OP-07, OP-09) are NOT_APPLICABLE, and ALREQ-01 has no clock to ask.
                Arguments.of("num-clocks-zero", Set.of("VRTC-OP-02", "VRTC-OP-06", "VRTC-OP-08", "VRTC-OP-11")));
    }

    /** Each fault's id and the exact clauses it FAILs (read by faults.EveryMustClauseIsProvenTest). */
    @SuppressWarnings("unchecked")
    public static Map<String, Set<String>> expectedFailSets() {
        return faults().map(Arguments::get).collect(Collectors.toMap(a -> (String) a[0], a -> (Set<String>) a[1]));
    }

    private static Arguments fault(String id, String... own) {
        Set<String> expected = new TreeSet<>(VirtioRtcStockTest.STOCK_FAILURES);
        expected.addAll(Set.of(own));
        return Arguments.of(id, expected);
    }

    @ParameterizedTest(name = "{0}")
    @Tag("faults") // the full tier (FaultInjectionTest.FULL_TIER)
    @MethodSource("faults")
    void brokenDeviceFailsExactlyItsClauses(String fault, Set<String> expected) {
        SuiteRun run = VrtcRun.run(Map.of("vmclock.vrtcFault", fault));
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        assertThat(VrtcRun.ids(run, Verdict.ERROR)).as("ERRORs under %s: %s", fault, VrtcRun.describe(run, Verdict.ERROR))
                .isEmpty();
        assertThat(VrtcRun.ids(run, Verdict.FAIL)).as("FAILs under %s: %s", fault, VrtcRun.describe(run, Verdict.FAIL))
                .containsExactlyInAnyOrderElementsOf(expected);
    }
}
