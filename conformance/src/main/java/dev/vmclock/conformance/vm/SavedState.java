package dev.vmclock.conformance.vm;

import dev.vmclock.harness.events.EventResult;

/**
 * A machine state saved by {@link VmTarget#saveState()}: the source stopped, as a VM suspended to disk does.
 * Restore it in place or start siblings from it, on the target that saved it: what it holds (QEMU: a state file;
 * another VMM: a snapshot and a memory file, an adapter's id) is that target's own business.
 */
public interface SavedState {

    /** How the state was saved. */
    EventResult save();
}
