package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.view.Observation;
import dev.vmclock.conformance.view.RunHistory;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.VmclockPage;
import org.junit.jupiter.api.Test;

/**
 * vm_generation_counter (0x68), when VMCLOCK_FLAG_VM_GEN_COUNTER_PRESENT (bit 8) is advertised: changes
 * when the VM is restored to an earlier or non-unique state, constant in normal operation (UAPI.13 / UAPI.14).
 */
@VmclockConformance
class GenerationCounterTest {

    private static void requireFlag(VmclockView vmclock) {
        NotApplicable.unlessFlag(vmclock.bootPage(), Flag.VM_GEN_COUNTER_PRESENT);
    }

    /**
     * Advertised, the guest can rely on the counter, so it must not be stuck at its boot value after a
     * restore. Not advertised, no observation can fail: the guest ignores the field (ptp_vmclock never reads
     * it), so the clause is NOT_APPLICABLE naming the flag rather than a PASS that judges nothing.
     */
    @Test
    @Clause("VMC-GEN-01")
    void rulesApplyOnlyWhenFlagAdvertised(VmclockView vmclock) {
        requireFlag(vmclock);
        assertChanged(vmclock.observed(Event.SNAPSHOT_LOAD));
    }

    @Test
    @Clause("VMC-GEN-02")
    void changesOnSnapshotLoad(VmclockView vmclock) {
        requireFlag(vmclock);
        assertChanged(vmclock.observed(Event.SNAPSHOT_LOAD));
    }

    @Test
    @Clause("VMC-GEN-03")
    void changesOnRestoreFromFile(VmclockView vmclock) {
        requireFlag(vmclock);
        assertChanged(vmclock.observed(Event.FILE_RESTORE));
    }

    @Test
    @Clause("VMC-GEN-04")
    void changesOnCloneFromSavedState(VmclockView vmclock) {
        requireFlag(vmclock);
        RunHistory.Clones clones = vmclock.clones();
        assertThat(clones.restoredBeside().vmGenerationCounter()).as("generation counter of a clone vs the original's at save")
                .isNotEqualTo(clones.beforeSave().vmGenerationCounter());
    }

    @Test
    @Clause("VMC-GEN-06")
    void constantAcrossPauseResume(VmclockView vmclock) {
        requireFlag(vmclock);
        assertUnchanged(vmclock.observed(Event.PAUSE_RESUME));
    }

    @Test
    @Clause("VMC-GEN-07")
    void constantAcrossSystemReset(VmclockView vmclock) {
        requireFlag(vmclock);
        assertUnchanged(vmclock.observed(Event.SYSTEM_RESET));
    }

    @Test
    @Clause("VMC-GEN-09")
    void constantAcrossLiveMigration(VmclockView vmclock) {
        requireFlag(vmclock);
        assertUnchanged(vmclock.observed(Event.LIVE_MIGRATION));
    }

    @Test
    @Clause("VMC-GEN-10")
    void newValueDiffersFromPreEventValue(VmclockView vmclock) {
        requireFlag(vmclock);
        RunHistory.Step restore = vmclock.history().step(RunHistory.Kind.FILE_RESTORE);
        assertThat(restore.guestAfter().page(vmclock).page().vmGenerationCounter())
                .as("counter vs the value the guest last saw")
                .isNotEqualTo(restore.guestBefore().page(vmclock).page().vmGenerationCounter());
    }

    /**
     * "Non-repeating" within the guest's own timeline: from the boot page on, through snapshot loads and
     * restores, a counter value once replaced never comes back on the same timeline (Errata 3). Repeats
     * across branches (clones, an older snapshot) are VMC-GEN-11's.
     */
    @Test
    @Clause("VMC-GEN-13")
    void neverRepeatsAlongOneTimeline(VmclockView vmclock) {
        requireFlag(vmclock);
        RunHistory history = vmclock.history();
        vmclock.evidence().note(history.describe("vm_generation_counter", VmclockPage::vmGenerationCounter));
        assertThat(history.firstRepeat("vm_generation_counter", VmclockPage::vmGenerationCounter))
                .as("a generation counter value repeated along one timeline").isEmpty();
    }

    @Test
    @Clause("VMC-GEN-11")
    void siblingRestoresGetDistinctValues(VmclockView vmclock) {
        requireFlag(vmclock);
        RunHistory.Clones clones = vmclock.clones();
        assertThat(clones.restoredBeside().vmGenerationCounter()).as("counters of two restores of one state")
                .isNotEqualTo(clones.restoredInPlace().vmGenerationCounter());
    }

    @Test
    @Clause("VMC-GEN-11")
    void clonesGetDistinctValues(VmclockView vmclock) {
        requireFlag(vmclock);
        assertThat(vmclock.clones().restoredBeside().vmGenerationCounter()).as("counters of two clones")
                .isNotEqualTo(vmclock.secondClone().vmGenerationCounter());
    }

    @Test
    @Clause("VMC-GEN-12")
    void constantAcrossSavevmAtSource(VmclockView vmclock) {
        requireFlag(vmclock);
        assertUnchanged(vmclock.observed(Event.SNAPSHOT_SAVE));
    }

    private static void assertChanged(Observation o) {
        assertThat(o.after().vmGenerationCounter()).as("vm_generation_counter across %s", o.event())
                .isNotEqualTo(o.before().vmGenerationCounter());
    }

    private static void assertUnchanged(Observation o) {
        assertThat(o.after().vmGenerationCounter()).as("vm_generation_counter across %s", o.event())
                .isEqualTo(o.before().vmGenerationCounter());
    }
}
