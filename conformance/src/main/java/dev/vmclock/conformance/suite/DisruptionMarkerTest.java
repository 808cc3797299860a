package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.target.Event;
import dev.vmclock.conformance.target.Observation;
import dev.vmclock.conformance.target.SavedState;
import dev.vmclock.conformance.target.Sibling;
import dev.vmclock.conformance.target.VmTarget;
import dev.vmclock.conformance.target.VmclockView;
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
        long seen = vmclock.guestRead().page().disruptionMarker();
        vmclock.across(Event.LIVE_MIGRATION);
        assertThat(vmclock.guestRead().page().disruptionMarker()).as("marker the guest reads after live migration")
                .isNotEqualTo(seen);
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
        for (Event e : new Event[] {Event.SNAPSHOT_LOAD, Event.LIVE_MIGRATION, Event.FILE_RESTORE}) {
            long seen = vmclock.guestRead().page().disruptionMarker();
            vmclock.across(e);
            assertThat(vmclock.guestRead().page().disruptionMarker())
                    .as("marker after %s vs the value the guest last saw", e).isNotEqualTo(seen);
        }
    }

    /**
     * "Non-repeating" within the guest's own timeline: from the boot page on, through snapshot loads, live
     * migrations and restores that never go back to an older snapshot, a marker once replaced never comes
     * back (Errata 3). Repeats across branches (sibling restores, an older snapshot) are VMC-DISRUPT-05's.
     */
    @Test
    @Clause("VMC-DISRUPT-09")
    void neverRepeatsAlongOneTimeline(VmclockView vmclock) {
        Timeline markers = new Timeline("disruption_marker");
        markers.add("at boot", vmclock.bootPage().disruptionMarker());
        markers.add("when this check began", vmclock.page().disruptionMarker());
        List<Event> chain = List.of(Event.SNAPSHOT_LOAD, Event.LIVE_MIGRATION, Event.FILE_RESTORE, Event.SNAPSHOT_LOAD);
        for (int i = 0; i < chain.size(); i++) {
            markers.add("after " + chain.get(i) + " (step " + (i + 1) + " of the chain)",
                    vmclock.across(chain.get(i)).after().disruptionMarker());
        }
        vmclock.evidence().note(markers.toString());
        assertThat(markers.firstRepeat()).as("a marker value repeated along one timeline").isEmpty();
    }

    @Test
    @Clause("VMC-DISRUPT-05")
    void siblingRestoresGetDistinctMarkers(VmclockView vmclock) {
        VmTarget target = vmclock.target();
        SavedState state = target.saveState();
        target.restore(state);
        long first = vmclock.page().disruptionMarker();
        try (Sibling sibling = target.startSibling(state)) {
            long second = vmclock.pageOf(sibling).disruptionMarker();
            vmclock.evidence().note("restore 1 marker " + Long.toUnsignedString(first) + ", restore 2 (sibling) marker "
                    + Long.toUnsignedString(second));
            assertThat(second).as("markers of two restores of one saved state").isNotEqualTo(first);
        }
    }

    @Test
    @Clause("VMC-DISRUPT-05")
    void olderSnapshotLoadDoesNotReuseMarker(VmclockView vmclock) {
        VmTarget target = vmclock.target();
        target.saveSnapshot("older");
        long atSave = vmclock.page().disruptionMarker();
        vmclock.across(Event.LIVE_MIGRATION);
        long later = vmclock.page().disruptionMarker();
        target.loadSnapshot("older");
        long afterLoad = vmclock.page().disruptionMarker();
        vmclock.evidence().note("marker at savevm " + atSave + ", after a migration " + later + ", after loading the "
                + "older snapshot " + afterLoad);
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
