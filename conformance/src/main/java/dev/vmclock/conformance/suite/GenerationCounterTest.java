package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.target.Event;
import dev.vmclock.conformance.target.Observation;
import dev.vmclock.conformance.target.SavedState;
import dev.vmclock.conformance.target.Sibling;
import dev.vmclock.conformance.target.VmTarget;
import dev.vmclock.conformance.target.VmclockView;
import dev.vmclock.harness.page.Flag;
import java.util.List;
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
        VmTarget target = vmclock.target();
        long before = vmclock.page().vmGenerationCounter();
        SavedState state = target.saveState();
        try (Sibling clone = target.startSibling(state)) {
            assertThat(vmclock.pageOf(clone).vmGenerationCounter()).as("generation counter of a clone").isNotEqualTo(before);
        } finally {
            target.restore(state);
        }
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
        long seen = vmclock.guestRead().page().vmGenerationCounter();
        vmclock.across(Event.FILE_RESTORE);
        assertThat(vmclock.guestRead().page().vmGenerationCounter()).as("counter vs the value the guest last saw")
                .isNotEqualTo(seen);
    }

    /**
     * "Non-repeating" within the guest's own timeline: from the boot page on, through snapshot loads and
     * restores that never go back to an older snapshot, a counter value once replaced never comes back
     * (Errata 3). Repeats across branches (siblings, clones) are VMC-GEN-11's.
     */
    @Test
    @Clause("VMC-GEN-13")
    void neverRepeatsAlongOneTimeline(VmclockView vmclock) {
        requireFlag(vmclock);
        Timeline counters = new Timeline("vm_generation_counter");
        counters.add("at boot", vmclock.bootPage().vmGenerationCounter());
        counters.add("when this check began", vmclock.page().vmGenerationCounter());
        List<Event> chain = List.of(Event.SNAPSHOT_LOAD, Event.FILE_RESTORE, Event.SNAPSHOT_LOAD);
        for (int i = 0; i < chain.size(); i++) {
            counters.add("after " + chain.get(i) + " (step " + (i + 1) + " of the chain)",
                    vmclock.across(chain.get(i)).after().vmGenerationCounter());
        }
        vmclock.evidence().note(counters.toString());
        assertThat(counters.firstRepeat()).as("a generation counter value repeated along one timeline").isEmpty();
    }

    @Test
    @Clause("VMC-GEN-11")
    void siblingRestoresGetDistinctValues(VmclockView vmclock) {
        requireFlag(vmclock);
        VmTarget target = vmclock.target();
        SavedState state = target.saveState();
        target.restore(state);
        long first = vmclock.page().vmGenerationCounter();
        try (Sibling sibling = target.startSibling(state)) {
            assertThat(vmclock.pageOf(sibling).vmGenerationCounter()).as("counters of two restores of one state")
                    .isNotEqualTo(first);
        }
    }

    @Test
    @Clause("VMC-GEN-11")
    void clonesGetDistinctValues(VmclockView vmclock) {
        requireFlag(vmclock);
        VmTarget target = vmclock.target();
        SavedState state = target.saveState();
        try (Sibling a = target.startSibling(state); Sibling b = target.startSibling(state)) {
            assertThat(vmclock.pageOf(a).vmGenerationCounter()).as("counters of two clones")
                    .isNotEqualTo(vmclock.pageOf(b).vmGenerationCounter());
        } finally {
            target.restore(state);
        }
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
