package dev.vmclock.conformance.vm;

/** The lifecycle events conformance tests put the target through, named as the spec talks about them. */
public enum Event {
    /** savevm at the source: the VM keeps running. */
    SNAPSHOT_SAVE,
    /** savevm then loadvm of that snapshot: the VM is loaded from a snapshot. */
    SNAPSHOT_LOAD,
    /** Live migration to a second QEMU over a unix socket. */
    LIVE_MIGRATION,
    /** Migration to a file, then a fresh QEMU restored from it (suspend to disk / backup recovery). */
    FILE_RESTORE,
    /** stop then cont on the same host. */
    PAUSE_RESUME,
    /** system_reset: the machine reboots (observed on a firmware-only machine of the same configuration). */
    SYSTEM_RESET;

    /** The capability a target needs to put its machine through this event (a reset: a fresh machine). */
    public Capability capability() {
        return switch (this) {
            case SNAPSHOT_SAVE, SNAPSHOT_LOAD -> Capability.SNAPSHOT;
            case LIVE_MIGRATION -> Capability.LIVE_MIGRATION;
            case FILE_RESTORE -> Capability.FILE_RESTORE;
            case PAUSE_RESUME -> Capability.PAUSE_RESUME;
            case SYSTEM_RESET -> Capability.FRESH_MACHINE;
        };
    }
}
