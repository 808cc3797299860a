package dev.vmclock.conformance.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Shards;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.harness.qemu.DebianQemuImage;
import dev.vmclock.harness.qemu.DebianSuite;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
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
 * The guest-level RTC class checks (VRTC-GUEST-07 to -09) prove they can fail, on the real path: QEMU 11.1 (in its
 * container) with vhost-user-rtc-pci, a booted guest with virtio_rtc.ko, and the project's reference virtio-rtc
 * device as the back end: as it is (all three PASS), and broken in one rule at a time by
 * {@code reference-rtc-faults/rtc_class_faults.py} (a subclass of its {@code RtcDevice}), each with its exact FAIL
 * set and no ERROR. On QEMU's own virtio-rtc-pci (one UTC clock) all three are NOT_APPLICABLE, naming why; on the
 * reference device without alarms (conformant: the feature is a SHOULD) the two alarm checks are.
 */
@Execution(ExecutionMode.CONCURRENT) // independent runs, each on machines of its own
@ExtendWith(GuestSlots.class)
@ExtendWith(Shards.class)
class RtcClassFaultTest {

    static final Set<String> RTC_CLASS = Set.of("VRTC-GUEST-07", "VRTC-GUEST-08", "VRTC-GUEST-09");
    private static final Path REFERENCE = Path.of("reference-rtc/vmclock-reference-rtc").toAbsolutePath();
    private static final Path FAULTS = Path.of("src/test/resources/reference-rtc-faults/rtc_class_faults.py")
            .toAbsolutePath();

    /** A fault of rtc_class_faults.py and the exact clauses it FAILs. */
    record RtcClassFault(String name, Set<String> fails) {
        String id() {
            return "reference-rtc " + name;
        }

        String command() {
            return "python3 " + FAULTS + " " + REFERENCE + " " + name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<RtcClassFault> faults() {
        return Stream.of(
                // The RTC reads the smeared clock 5 s ahead; its alarm follows that clock, so it is on time by it.
                new RtcClassFault("smeared-ahead-5s", Set.of("VRTC-GUEST-07")),
                // The guest wakes ~3 s after the alarm time, outside 1 s plus the notification's measured path.
                new RtcClassFault("alarm-late-3s", Set.of("VRTC-GUEST-08")),
                // No alarm interrupt within the wait (alarm time + 5 s).
                new RtcClassFault("alarm-never-fires", Set.of("VRTC-GUEST-08")),
                // Linux reads the alarm from the device only when the RTC registers: only the read-back check sees it.
                new RtcClassFault("read-alarm-60s-late", Set.of("VRTC-GUEST-09")));
    }

    /** Each fault's id and the exact clauses it FAILs (read by EveryMustClauseIsProvenTest; ids are unique). */
    static Map<String, Set<String>> expectedFailSets() {
        return faults().collect(Collectors.toMap(RtcClassFault::id, RtcClassFault::fails));
    }

    @Test
    void referenceDevicePassesEveryRtcClassClause() {
        SuiteRun run = run(Optional.of(REFERENCE.toString()));
        assertThat(run.ids(Verdict.ERROR)).as("ERRORs: %s", describe(run, Verdict.ERROR)).isEmpty();
        assertThat(run.ids(Verdict.FAIL)).as("FAILs: %s", describe(run, Verdict.FAIL)).isEmpty();
        assertThat(run.ids(Verdict.PASS)).as("PASSes; NOT_APPLICABLE: %s", describe(run, Verdict.NOT_APPLICABLE))
                .containsExactlyInAnyOrderElementsOf(RTC_CLASS);
    }

    @Test
    void qemusOwnDeviceHasNoRtcClassDevice() {
        SuiteRun run = run(Optional.empty());
        assertThat(run.ids(Verdict.NOT_APPLICABLE)).as("NOT_APPLICABLE; others: %s, %s, %s", describe(run, Verdict.PASS),
                describe(run, Verdict.FAIL), describe(run, Verdict.ERROR)).containsExactlyInAnyOrderElementsOf(RTC_CLASS);
        assertThat(run.clauses()).filteredOn(c -> RTC_CLASS.contains(c.clause().id())).extracting(ClauseResult::reason)
                .allSatisfy(r -> assertThat(r).contains("no UTC_SMEARED clock", "[UTC]",
                        "Linux's virtio_rtc registers no RTC class device"));
    }

    @Test
    @Tag(FaultInjectionTest.FULL_TIER)
    void deviceWithoutAlarmsLeavesTheAlarmChecksNotApplicable() {
        SuiteRun run = run(Optional.of(new RtcClassFault("smeared-clock-without-alarm", Set.of()).command()));
        assertThat(run.ids(Verdict.PASS)).as("PASS; others: %s, %s", describe(run, Verdict.FAIL),
                describe(run, Verdict.ERROR)).containsExactly("VRTC-GUEST-07");
        assertThat(run.ids(Verdict.NOT_APPLICABLE)).containsExactlyInAnyOrder("VRTC-GUEST-08", "VRTC-GUEST-09");
        assertThat(run.clauses()).filteredOn(c -> c.verdict() == Verdict.NOT_APPLICABLE).extracting(ClauseResult::reason)
                .allSatisfy(r -> assertThat(r).contains("has no alarm", "VIRTIO_RTC_F_ALARM", "VIRTIO_RTC_FLAG_ALARM_CAP"));
    }

    @ParameterizedTest
    @MethodSource("faults")
    @Tag(FaultInjectionTest.FULL_TIER)
    void brokenDeviceFailsExactlyItsClauses(RtcClassFault fault) {
        SuiteRun run = run(Optional.of(fault.command()));
        assertThat(run.ids(Verdict.ERROR)).as("ERRORs under %s: %s", fault, describe(run, Verdict.ERROR)).isEmpty();
        assertThat(run.ids(Verdict.FAIL)).as("FAILs under %s: %s", fault, describe(run, Verdict.FAIL))
                .containsExactlyInAnyOrderElementsOf(fault.fails());
    }

    /** The RTC class clauses on QEMU 11.1 with {@code backend} as its virtio-rtc device, else its own virtio-rtc-pci. */
    private static SuiteRun run(Optional<String> backend) {
        TargetOptions options = TargetOptions.defaults().with(b -> {
            b.container(DebianQemuImage.shipped().ensureBuilt(DebianSuite.TRIXIE_BACKPORTS)).virtioRtc(Optional.of(true))
                    .accel("tcg");
            backend.ifPresent(b::vhostUserRtc);
        });
        SuiteRun run = SuiteRunner.run(options, RTC_CLASS, o -> { });
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        return run;
    }

    private static String describe(SuiteRun run, Verdict v) {
        return run.clauses().stream().filter(c -> c.verdict() == v)
                .map(c -> c.clause().id() + " (" + c.reason().replaceAll("\\s+", " ") + ")").collect(Collectors.joining("; "));
    }
}
