package dev.vmclock.harness.memory;

/** Guest-physical memory as the host sees it. */
public interface PhysicalMemory {

    /** Reads {@code length} bytes at guest-physical {@code address}. */
    byte[] read(long address, int length);
}
