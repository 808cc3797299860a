package dev.vmclock.harness.virtio;

/**
 * One entry of the used ring: the head of the chain the device used, the length it reports written,
 * and the ring position (which used buffer this was, counted from queue setup).
 */
public record UsedElement(int head, long length, int position) {
}
