package dev.vmclock.harness.memory;

/** Guest-physical memory the host can also write: for playing the hypervisor's writer. */
public interface WritableMemory extends PhysicalMemory {

    void write(long address, byte[] bytes);
}
