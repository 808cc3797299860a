package dev.vmclock.conformance.vm;

import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.memory.PhysicalMemory;

/**
 * A second machine beside the target: a clone restored from a {@link SavedState}, or a fresh one of the
 * same configuration with firmware only. Seen from the host only; closing it stops it.
 */
public interface Sibling extends AutoCloseable {

    /** Guest-physical memory of the sibling as the host reads it. */
    PhysicalMemory hostMemory();

    /** A machine reset (QMP system_reset) of the sibling. */
    EventResult reset();

    @Override
    void close();
}
