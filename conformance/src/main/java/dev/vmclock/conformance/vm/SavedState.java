package dev.vmclock.conformance.vm;

import dev.vmclock.harness.events.EventResult;

/**
 * A machine state saved by {@link VmTarget#saveState()}: the source stopped, as a VM suspended to disk
 * does. Restore it in place or start siblings from it.
 *
 * @param handle the implementation's own reference (QEMU: the state file)
 * @param save   how the state was saved
 */
public record SavedState(Object handle, EventResult save) {
}
