package dev.vmclock.conformance.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.vm.Implementation;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.harness.qemu.RtcBackend;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The project's reference virtio-rtc device ({@code reference-rtc/vmclock-reference-rtc}) meets the VRTC area: one
 * run of {@code run --vhost-user-rtc REFERENCE --select VRTC} (device level through the qtest driver, guest level
 * through Linux's virtio_rtc in one booted guest) has no FAIL and no ERROR, and exactly the clauses below are
 * NOT_APPLICABLE, each for the reason it names. The run's implementation record names the back end by its version
 * line. ReferenceRtcFaultTest breaks the device one rule at a time.
 */
@ExtendWith(GuestSlots.class) // the run boots a guest
class ReferenceRtcSuiteTest {

    /** NOT_APPLICABLE on the reference device, and a piece of the reason each must give. */
    static final Map<String, String> NOT_APPLICABLE = Map.of(
            // No cross-timestamping: a host process cannot read the guest's counter (READ_CROSS is EOPNOTSUPP).
            "VRTC-READ-11", "READ_CROSS answers OK for no clock",
            "VRTC-READ-12", "READ_CROSS answers OK for no clock",
            // The device retains the alarm across a reset (spec MAY), so the not-retained rules do not apply.
            "VRTC-ALARM-02", "retained the alarm across the reset",
            "VRTC-ALARM-03", "retained the alarm across the reset",
            // QEMU cannot save or migrate a machine with vhost-user-rtc-pci.
            "VRTC-GUEST-03", "cannot save or migrate a machine with vhost-user-rtc-pci",
            "VRTC-GUEST-04", "cannot save or migrate a machine with vhost-user-rtc-pci",
            "VRTC-GUEST-05", "cannot save or migrate a machine with vhost-user-rtc-pci",
            // No reference clock: VMClock publishes no time to compare with.
            "VRTC-GUEST-06", "VMClock publishes no time");

    @Test
    void referenceDeviceFailsNothingAndIsNotApplicableOnlyWhereItSays() {
        ResolvedTarget target = ReferenceRtcRun.resolve(ReferenceRtcRun.reference());
        Implementation impl = target.implementation();
        assertThat(impl.details().get("virtio_rtc_backend")).as("the implementation record's back end (%s)", impl.details())
                .startsWith("vmclock-reference-rtc 1.0 (vhost-user, virtio-rtc) (" + ReferenceRtcRun.REFERENCE)
                .endsWith("over " + RtcBackend.FRONT_END + ")");
        assertThat(impl.version()).as("QEMU's version").startsWith("11.");

        SuiteRun run = ReferenceRtcRun.run(target, Set.of("VRTC"));
        assertThat(run.containerFailure()).as("the suite ran").isEmpty();
        assertThat(run.configuration()).as("the run names its back end").containsEntry("vmclock.vhostUserRtc",
                ReferenceRtcRun.reference());
        assertThat(ReferenceRtcRun.reasons(run, Verdict.ERROR)).as("ERRORs").isEmpty();
        assertThat(ReferenceRtcRun.reasons(run, Verdict.FAIL)).as("FAILs").isEmpty();
        Map<String, String> na = ReferenceRtcRun.reasons(run, Verdict.NOT_APPLICABLE);
        assertThat(na.keySet()).as("NOT_APPLICABLE: %s", ReferenceRtcRun.describe(run, Verdict.NOT_APPLICABLE))
                .containsExactlyInAnyOrderElementsOf(NOT_APPLICABLE.keySet());
        NOT_APPLICABLE.forEach((id, why) -> assertThat(na.get(id)).as("why %s is NOT_APPLICABLE", id).contains(why));
        assertThat(ReferenceRtcRun.reasons(run, Verdict.PASS)).as("PASSes at both levels").containsKeys("VRTC-ALARM-07",
                "VRTC-CTRL-20", "VRTC-READ-05", "VRTC-GUEST-01", "VRTC-GUEST-02");
    }
}
