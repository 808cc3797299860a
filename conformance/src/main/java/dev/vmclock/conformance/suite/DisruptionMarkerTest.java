package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.view.Observation;
import dev.vmclock.conformance.view.RunHistory;
import dev.vmclock.conformance.view.RunHistory.Kind;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.page.VmclockPage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** disruption_marker: "changed each time there may be a disruption to the hardware counter" (UAPI.13, vmclock-abi.h). */
@VmclockConformance
class DisruptionMarkerTest {

    @Test
    @Clause("VMC-DISRUPT-01")
    void changesOnLiveMigration(VmclockView vmclock) {
        assertMarkerChanged(vmclock.observed(Event.LIVE_MIGRATION));
    }

    @Test
    @Clause("VMC-DISRUPT-01")
    void guestSeesNewMarkerAfterLiveMigration(VmclockView vmclock) {
        RunHistory.Step migration = vmclock.history().step(Kind.LIVE_MIGRATION);
        assertThat(migration.guestAfter().page(vmclock).page().disruptionMarker())
                .as("marker the guest reads after live migration")
                .isNotEqualTo(migration.guestBefore().page(vmclock).page().disruptionMarker());
    }

    @Test
    @Clause("VMC-DISRUPT-02")
    void changesOnSnapshotLoad(VmclockView vmclock) {
        assertMarkerChanged(vmclock.observed(Event.SNAPSHOT_LOAD));
    }

    @Test
    @Clause("VMC-DISRUPT-03")
    void changesOnRestoreFromFile(VmclockView vmclock) {
        assertMarkerChanged(vmclock.observed(Event.FILE_RESTORE));
    }

    @Test
    @Clause("VMC-DISRUPT-04")
    void newValueDiffersFromPreEventValue(VmclockView vmclock) {
        RunHistory history = vmclock.history();
        for (Kind k : List.of(Kind.SNAPSHOT_LOAD, Kind.LIVE_MIGRATION, Kind.FILE_RESTORE)) {
            RunHistory.Step step = history.step(k);
            assertThat(step.guestAfter().page(vmclock).page().disruptionMarker())
                    .as("marker after %s vs the value the guest last saw", k)
                    .isNotEqualTo(step.guestBefore().page(vmclock).page().disruptionMarker());
        }
    }

    /**
     * "Non-repeating" within the guest's own timeline: from the boot page on, through snapshot loads, live
     * migrations and restores, a marker once replaced never comes back on the same timeline (Errata 3).
     * Repeats across branches (clones, an older snapshot) are VMC-DISRUPT-05's.
     */
    @Test
    @Clause("VMC-DISRUPT-09")
    void neverRepeatsAlongOneTimeline(VmclockView vmclock) {
        RunHistory history = vmclock.history();
        vmclock.evidence().note(history.describe("disruption_marker", VmclockPage::disruptionMarker));
        assertThat(history.firstRepeat("disruption_marker", VmclockPage::disruptionMarker))
                .as("a marker value repeated along one timeline").isEmpty();
    }

    @Test
    @Clause("VMC-DISRUPT-05")
    void siblingRestoresGetDistinctMarkers(VmclockView vmclock) {
        RunHistory.Clones clones = vmclock.clones();
        long first = clones.restoredInPlace().disruptionMarker();
        long second = clones.restoredBeside().disruptionMarker();
        vmclock.evidence().note("restore 1 marker " + Long.toUnsignedString(first) + ", restore 2 (clone) marker "
                + Long.toUnsignedString(second));
        assertThat(second).as("markers of two restores of one saved state").isNotEqualTo(first);
    }

    @Test
    @Clause("VMC-DISRUPT-05")
    void olderSnapshotLoadDoesNotReuseMarker(VmclockView vmclock) {
        RunHistory history = vmclock.history();
        long atSave = history.step(Kind.SNAPSHOT_SAVE).after().disruptionMarker();
        RunHistory.Step older = history.step(Kind.OLDER_SNAPSHOT_LOAD);
        long later = older.before().disruptionMarker();
        long afterLoad = older.after().disruptionMarker();
        vmclock.evidence().note("marker at savevm " + atSave + ", after the later events " + later
                + ", after loading the older snapshot " + afterLoad);
        assertThat(afterLoad).as("marker after loading an older snapshot").isNotIn(atSave, later);
    }

    @Test
    @Clause("VMC-DISRUPT-06")
    void unchangedBySavevmAtSource(VmclockView vmclock) {
        assertMarkerUnchanged(vmclock.observed(Event.SNAPSHOT_SAVE));
    }

    @Test
    @Clause("VMC-DISRUPT-07")
    void unchangedByPauseResume(VmclockView vmclock) {
        assertMarkerUnchanged(vmclock.observed(Event.PAUSE_RESUME));
    }

    private static void assertMarkerChanged(Observation o) {
        assertThat(o.after().disruptionMarker()).as("disruption_marker across %s", o.event())
                .isNotEqualTo(o.before().disruptionMarker());
    }

    private static void assertMarkerUnchanged(Observation o) {
        VmclockPage b = o.before();
        assertThat(o.after().disruptionMarker()).as("disruption_marker across %s", o.event()).isEqualTo(b.disruptionMarker());
    }
}
