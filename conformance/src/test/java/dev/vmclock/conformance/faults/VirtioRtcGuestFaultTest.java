package dev.vmclock.conformance.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Shards;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.clock.ReferenceClock;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.harness.qemu.DebianQemuImage;
import dev.vmclock.harness.qemu.DebianSuite;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import dev.vmclock.images.VirtioRtcModule;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The virtio-rtc guest-level checks prove they can fail: the GUEST area runs through the Launcher on QEMU 11.1
 * (in its container) with both devices and the reference clock publishing VMClock's time, once with the
 * image's stock virtio_rtc.ko (everything PASSes) and once with the deliberately broken build, given to the
 * suite as a user's kernel and initramfs (exactly the six GUEST clauses FAIL, nothing ERRORs).
 *
 * <p>QEMU 11.1 is trixie-backports' in the shipped container recipe; the kernel-module build image comes with
 * the guest image's build (both built on first use on this Docker host).
 */
@Execution(ExecutionMode.CONCURRENT) // two independent runs, each on machines of its own
@ExtendWith(GuestSlots.class)
@ExtendWith(Shards.class)
class VirtioRtcGuestFaultTest {

    private static final Set<String> GUEST = IntStream.rangeClosed(1, 6).mapToObj(i -> String.format("VRTC-GUEST-%02d", i))
            .collect(Collectors.toSet());

    /** The broken driver build and the exact clauses it FAILs (EveryMustClauseIsProvenTest unions them). */
    static Map<String, Set<String>> expectedFailSets() {
        return Map.of("virtio_rtc.ko " + VirtioRtcModule.BROKEN_STEPS_BACK, GUEST);
    }

    @Test
    void stockDriverOnQemu111PassesEveryGuestClause() {
        SuiteRun run = SuiteRunner.run(config(null), Set.of("GUEST"), o -> { });
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        assertThat(run.ids(Verdict.ERROR)).as("ERRORs: %s", describe(run, Verdict.ERROR)).isEmpty();
        assertThat(run.ids(Verdict.FAIL)).as("FAILs: %s", describe(run, Verdict.FAIL)).isEmpty();
        assertThat(run.ids(Verdict.PASS)).as("PASSes; NOT_APPLICABLE: %s", describe(run, Verdict.NOT_APPLICABLE))
                .containsExactlyInAnyOrderElementsOf(GUEST);
    }

    @Test
    @Tag(FaultInjectionTest.FULL_TIER)
    void brokenDriverFailsExactlyTheGuestClauses() {
        GuestImage broken = new GuestImageBuilder().withVirtioRtc(VirtioRtcModule.BROKEN_STEPS_BACK).ensureBuilt();
        SuiteRun run = SuiteRunner.run(config(broken), Set.of("GUEST"), o -> { });
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        assertThat(run.ids(Verdict.ERROR)).as("ERRORs: %s", describe(run, Verdict.ERROR)).isEmpty();
        assertThat(run.ids(Verdict.FAIL)).as("FAILs: %s", describe(run, Verdict.FAIL)).containsExactlyInAnyOrderElementsOf(GUEST);
    }

    private static TargetOptions config(GuestImage userImage) {
        return TargetOptions.defaults().with(b -> {
            b.container(DebianQemuImage.shipped().ensureBuilt(DebianSuite.TRIXIE_BACKPORTS)).virtioRtc(Optional.of(true))
                    .accel("tcg").clock(ReferenceClock.GOOD);
            if (userImage != null) {
                b.guest(userImage.kernel(), userImage.initramfs());
            }
        });
    }

    private static String describe(SuiteRun run, Verdict v) {
        return run.clauses().stream().filter(c -> c.verdict() == v)
                .map(c -> c.clause().id() + " (" + c.reason().replaceAll("\\s+", " ") + ")").collect(Collectors.joining("; "));
    }
}
