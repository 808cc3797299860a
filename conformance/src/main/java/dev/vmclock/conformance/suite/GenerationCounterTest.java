package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.target.Event;
import dev.vmclock.conformance.target.Observation;
import dev.vmclock.conformance.target.Target;
import dev.vmclock.harness.events.Machine;
import dev.vmclock.harness.page.Flag;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * vm_generation_counter (0x68), when VMCLOCK_FLAG_VM_GEN_COUNTER_PRESENT (bit 8) is advertised: changes
 * when the VM is restored to an earlier or non-unique state, constant in normal operation (UAPI.13 / UAPI.14).
 */
@VmclockConformance
class GenerationCounterTest {

    private static void requireFlag(Target target) {
        NotApplicable.unlessFlag(target.bootPage(), Flag.VM_GEN_COUNTER_PRESENT);
    }

    @Test
    @Clause("VMC-GEN-01")
    void rulesApplyOnlyWhenFlagAdvertised(Target target) {
        if (target.bootPage().flags().has(Flag.VM_GEN_COUNTER_PRESENT)) {
            // Advertised: the guest can rely on it, so it must not be stuck at its boot value after a restore.
            assertChanged(target.across(Event.SNAPSHOT_LOAD));
        } else {
            // Not advertised: the guest ignores the field; the driver must not act on it either.
            assertThat(target.guestRead().page().flags().has(Flag.VM_GEN_COUNTER_PRESENT))
                    .as("the guest sees the flag as the host does").isFalse();
        }
    }

    @Test
    @Clause("VMC-GEN-02")
    void changesOnSnapshotLoad(Target target) {
        requireFlag(target);
        assertChanged(target.across(Event.SNAPSHOT_LOAD));
    }

    @Test
    @Clause("VMC-GEN-03")
    void changesOnRestoreFromFile(Target target) {
        requireFlag(target);
        assertChanged(target.across(Event.FILE_RESTORE));
    }

    @Test
    @Clause("VMC-GEN-04")
    void changesOnCloneFromSavedState(Target target) {
        requireFlag(target);
        Machine m = target.machine();
        long before = target.page().vmGenerationCounter();
        Path state = m.newStateFile();
        m.saveToFile(state);
        try (Machine clone = Machine.restore(target.qemu(), m.spec(), state)) {
            assertThat(clone.readPage().page().vmGenerationCounter()).as("generation counter of a clone").isNotEqualTo(before);
        } finally {
            m.restoreFromFile(state);
        }
    }

    @Test
    @Clause("VMC-GEN-06")
    void constantAcrossPauseResume(Target target) {
        requireFlag(target);
        assertUnchanged(target.across(Event.PAUSE_RESUME));
    }

    @Test
    @Clause("VMC-GEN-07")
    void constantAcrossSystemReset(Target target) {
        requireFlag(target);
        assertUnchanged(target.across(Event.SYSTEM_RESET));
    }

    @Test
    @Clause("VMC-GEN-09")
    void constantAcrossLiveMigration(Target target) {
        requireFlag(target);
        assertUnchanged(target.across(Event.LIVE_MIGRATION));
    }

    @Test
    @Clause("VMC-GEN-10")
    void newValueDiffersFromPreEventValue(Target target) {
        requireFlag(target);
        long seen = target.guestRead().page().vmGenerationCounter();
        target.across(Event.FILE_RESTORE);
        assertThat(target.guestRead().page().vmGenerationCounter()).as("counter vs the value the guest last saw")
                .isNotEqualTo(seen);
    }

    @Test
    @Clause("VMC-GEN-11")
    void siblingRestoresGetDistinctValues(Target target) {
        requireFlag(target);
        Machine m = target.machine();
        Path state = m.newStateFile();
        m.saveToFile(state);
        m.restoreFromFile(state);
        long first = target.page().vmGenerationCounter();
        try (Machine sibling = Machine.restore(target.qemu(), m.spec(), state)) {
            assertThat(sibling.readPage().page().vmGenerationCounter()).as("counters of two restores of one state")
                    .isNotEqualTo(first);
        }
    }

    @Test
    @Clause("VMC-GEN-11")
    void clonesGetDistinctValues(Target target) {
        requireFlag(target);
        Machine m = target.machine();
        Path state = m.newStateFile();
        m.saveToFile(state);
        try (Machine a = Machine.restore(target.qemu(), m.spec(), state);
             Machine b = Machine.restore(target.qemu(), m.spec(), state)) {
            assertThat(a.readPage().page().vmGenerationCounter()).as("counters of two clones")
                    .isNotEqualTo(b.readPage().page().vmGenerationCounter());
        } finally {
            m.restoreFromFile(state);
        }
    }

    @Test
    @Clause("VMC-GEN-12")
    void constantAcrossSavevmAtSource(Target target) {
        requireFlag(target);
        assertUnchanged(target.across(Event.SNAPSHOT_SAVE));
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
