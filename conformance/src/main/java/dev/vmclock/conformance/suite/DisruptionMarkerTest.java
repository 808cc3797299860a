package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.target.Event;
import dev.vmclock.conformance.target.Observation;
import dev.vmclock.conformance.target.Target;
import dev.vmclock.harness.events.Machine;
import dev.vmclock.harness.page.VmclockPage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** disruption_marker: "changed each time there may be a disruption to the hardware counter" (UAPI.13, vmclock-abi.h). */
@VmclockConformance
class DisruptionMarkerTest {

    @Test
    @Clause("VMC-DISRUPT-01")
    void changesOnLiveMigration(Target target) {
        assertMarkerChanged(target.across(Event.LIVE_MIGRATION));
    }

    @Test
    @Clause("VMC-DISRUPT-01")
    void guestSeesNewMarkerAfterLiveMigration(Target target) {
        long seen = target.guestRead().page().disruptionMarker();
        target.across(Event.LIVE_MIGRATION);
        assertThat(target.guestRead().page().disruptionMarker()).as("marker the guest reads after live migration")
                .isNotEqualTo(seen);
    }

    @Test
    @Clause("VMC-DISRUPT-02")
    void changesOnSnapshotLoad(Target target) {
        assertMarkerChanged(target.across(Event.SNAPSHOT_LOAD));
    }

    @Test
    @Clause("VMC-DISRUPT-03")
    void changesOnRestoreFromFile(Target target) {
        assertMarkerChanged(target.across(Event.FILE_RESTORE));
    }

    @Test
    @Clause("VMC-DISRUPT-04")
    void newValueDiffersFromPreEventValue(Target target) {
        for (Event e : new Event[] {Event.SNAPSHOT_LOAD, Event.LIVE_MIGRATION, Event.FILE_RESTORE}) {
            long seen = target.guestRead().page().disruptionMarker();
            target.across(e);
            assertThat(target.guestRead().page().disruptionMarker())
                    .as("marker after %s vs the value the guest last saw", e).isNotEqualTo(seen);
        }
    }

    @Test
    @Clause("VMC-DISRUPT-05")
    void siblingRestoresGetDistinctMarkers(Target target) {
        Machine m = target.machine();
        Path state = m.newStateFile();
        m.saveToFile(state);
        m.restoreFromFile(state);
        long first = target.page().disruptionMarker();
        try (Machine sibling = Machine.restore(target.qemu(), m.spec(), state)) {
            long second = sibling.readPage().page().disruptionMarker();
            target.evidence().note("restore 1 marker " + Long.toUnsignedString(first) + ", restore 2 (sibling) marker "
                    + Long.toUnsignedString(second));
            assertThat(second).as("markers of two restores of one saved state").isNotEqualTo(first);
        }
    }

    @Test
    @Clause("VMC-DISRUPT-05")
    void olderSnapshotLoadDoesNotReuseMarker(Target target) {
        Machine m = target.machine();
        m.saveSnapshot("older");
        long atSave = target.page().disruptionMarker();
        target.across(Event.LIVE_MIGRATION);
        long later = target.page().disruptionMarker();
        m.loadSnapshot("older");
        long afterLoad = target.page().disruptionMarker();
        target.evidence().note("marker at savevm " + atSave + ", after a migration " + later + ", after loading the "
                + "older snapshot " + afterLoad);
        assertThat(afterLoad).as("marker after loading an older snapshot").isNotIn(atSave, later);
    }

    @Test
    @Clause("VMC-DISRUPT-06")
    void unchangedBySavevmAtSource(Target target) {
        assertMarkerUnchanged(target.across(Event.SNAPSHOT_SAVE));
    }

    @Test
    @Clause("VMC-DISRUPT-07")
    void unchangedByPauseResume(Target target) {
        assertMarkerUnchanged(target.across(Event.PAUSE_RESUME));
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
