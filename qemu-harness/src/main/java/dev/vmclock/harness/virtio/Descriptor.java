package dev.vmclock.harness.virtio;

/** One element of a descriptor chain: a buffer in guest memory the device reads, or writes. */
public record Descriptor(long address, int length, boolean writable) {

    public static final int F_NEXT = 1;
    public static final int F_WRITE = 2;
    /** The size of {@code struct virtq_desc}. */
    public static final int SIZE = 16;
}
