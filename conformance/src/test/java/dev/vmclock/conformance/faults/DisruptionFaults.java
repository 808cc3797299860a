package dev.vmclock.conformance.faults;

import dev.vmclock.conformance.faults.RuntimeFault.AfterEvent;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.util.Map;
import java.util.Set;

/** Faults in the disruption marker: changed on the wrong events, rolled back, repeated, or written elsewhere. */
final class DisruptionFaults {

    private DisruptionFaults() {
    }

    /** After each restore (loadvm, restore from file) the marker is set back to its pre-event value. */
    public static final class MarkerRolledBackAfterRestore extends RuntimeFault {
        public MarkerRolledBackAfterRestore() {
            super("marker-rolled-back-after-restore", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    if (event == Event.SNAPSHOT_LOAD || event == Event.FILE_RESTORE) {
                        device().update(Map.of(PageField.DISRUPTION_MARKER, before.disruptionMarker()));
                    }
                }
            });
        }
    }

    /**
     * The marker follows the wrong events: put back after a live migration (the counter was disrupted, the
     * guest is not told), and bumped by savevm and pause/resume (nothing was disrupted).
     */
    public static final class MarkerOnWrongEvents extends RuntimeFault {
        public MarkerOnWrongEvents() {
            super("marker-on-wrong-events", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    long marker = event == Event.LIVE_MIGRATION ? before.disruptionMarker()
                            : event == Event.SNAPSHOT_SAVE || event == Event.PAUSE_RESUME ? before.disruptionMarker() + 1
                            : -1;
                    if (marker >= 0) {
                        device().update(Map.of(PageField.DISRUPTION_MARKER, marker));
                    }
                }
            });
        }
    }

    /**
     * The marker changes on every disruption but alternates between two values (its low bit toggled): each
     * change differs from the value before it, yet returns to one the guest already saw in its timeline.
     */
    public static final class MarkerAlternates extends RuntimeFault {
        public MarkerAlternates() {
            super("marker-alternates", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    if (Set.of(Event.SNAPSHOT_LOAD, Event.FILE_RESTORE, Event.LIVE_MIGRATION).contains(event)) {
                        device().update(Map.of(PageField.DISRUPTION_MARKER, before.disruptionMarker() ^ 1));
                    }
                }
            });
        }
    }

    /**
     * The marker written at the wrong offset: after each disruption the new value lands in the 8 bytes at
     * 0x58 (time_esterror_nanosec, unused on a page with no clock) and 0x10 keeps its old value.
     */
    public static final class MarkerAtWrongOffset extends RuntimeFault {
        public MarkerAtWrongOffset() {
            super("marker-at-wrong-offset", target -> new AfterEvent(target) {
                private long disruptions;

                @Override
                void after(Event event, VmclockPage before) {
                    if (Set.of(Event.SNAPSHOT_LOAD, Event.FILE_RESTORE, Event.LIVE_MIGRATION).contains(event)) {
                        // The device's own marker, new at every disruption as a marker must be, lands at 0x58 (time_esterror_nanosec):
                        // whatever events came before, each one changes that field (no verdict depends on order).
                        long written = current().disruptionMarker() + (++disruptions << 32);
                        device().update(Map.of(PageField.DISRUPTION_MARKER, before.disruptionMarker(),
                                PageField.TIME_ESTERROR_NANOSEC, written));
                    }
                }
            });
        }
    }
}
