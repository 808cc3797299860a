package dev.vmclock.harness.events;

/** The lifecycle events that may disrupt a guest's clock, named as the spec talks about them. */
public enum LifecycleEvent {
    PAUSE,
    RESUME,
    SNAPSHOT_SAVE,
    SNAPSHOT_LOAD,
    SNAPSHOT_DELETE,
    LIVE_MIGRATION,
    SAVE_TO_FILE,
    RESTORE_FROM_FILE,
    SYSTEM_RESET
}
