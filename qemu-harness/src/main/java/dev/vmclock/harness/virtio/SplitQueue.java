package dev.vmclock.harness.virtio;

import dev.vmclock.harness.memory.IoBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * A split virtqueue (virtio 1.x §2.7) whose rings live in guest RAM and are written through the bus, as a
 * guest driver writes them. Chains are added, then published together (one avail idx write), then the
 * device is notified; used entries are polled with a deadline. No interrupts: the driver suppresses none
 * and polls, so the device's notification choices do not matter.
 */
public final class SplitQueue {

    private final IoBus bus;
    private final int index;
    private final int size;
    private final long desc;
    private final long avail;
    private final long used;
    private final Runnable notifier;
    private final IntSupplier deviceStatus;
    private final int[] chainLength;
    private final boolean[] inUse;
    private int availIdx;
    private int lastUsedIdx;
    private int usedCount;

    SplitQueue(IoBus bus, int index, int size, long base, Runnable notifier, IntSupplier deviceStatus) {
        this.bus = bus;
        this.index = index;
        this.size = size;
        this.desc = base;
        this.avail = base + (long) Descriptor.SIZE * size;
        this.used = align(avail + 6 + 2L * size, 4);
        this.notifier = notifier;
        this.deviceStatus = deviceStatus;
        this.chainLength = new int[size];
        this.inUse = new boolean[size];
        bus.write(base, new byte[(int) (bytes(size))]);
    }

    /** Bytes of guest memory a queue of {@code size} entries occupies (descriptors, avail and used rings). */
    public static long bytes(int size) {
        long availEnd = (long) Descriptor.SIZE * size + 6 + 2L * size;
        return align(availEnd, 4) + 6 + 8L * size;
    }

    private static long align(long v, long a) {
        return (v + a - 1) & -a;
    }

    public int index() {
        return index;
    }

    public int size() {
        return size;
    }

    public long descriptorTable() {
        return desc;
    }

    public long availRing() {
        return avail;
    }

    public long usedRing() {
        return used;
    }

    /** Free descriptors: chains longer than this cannot be added until the device uses some. */
    public int freeDescriptors() {
        int n = 0;
        for (boolean b : inUse) {
            n += b ? 0 : 1;
        }
        return n;
    }

    /** Writes the chain into free descriptors (not yet visible to the device) and returns its head. */
    public int add(List<Descriptor> chain) {
        if (chain.isEmpty() || chain.size() > freeDescriptors()) {
            throw new IllegalArgumentException("a chain of " + chain.size() + " descriptors does not fit in queue "
                    + index + " (" + freeDescriptors() + " free)");
        }
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < size && slots.size() < chain.size(); i++) {
            if (!inUse[i]) {
                slots.add(i);
            }
        }
        for (int i = 0; i < chain.size(); i++) {
            Descriptor d = chain.get(i);
            int slot = slots.get(i);
            boolean last = i == chain.size() - 1;
            byte[] e = new byte[Descriptor.SIZE];
            Le.putLong(e, 0, d.address());
            Le.putInt(e, 8, d.length());
            Le.putShort(e, 12, (last ? 0 : Descriptor.F_NEXT) | (d.writable() ? Descriptor.F_WRITE : 0));
            Le.putShort(e, 14, last ? 0 : slots.get(i + 1));
            bus.write(desc + (long) Descriptor.SIZE * slot, e);
            inUse[slot] = true;
        }
        chainLength[slots.get(0)] = chain.size();
        return slots.get(0);
    }

    /** Makes the chains available in this order: ring entries first, then one write of the avail idx. */
    public void publish(List<Integer> heads) {
        for (int h : heads) {
            bus.writew(avail + 4 + 2L * (availIdx % size), h);
            availIdx = (availIdx + 1) & 0xffff;
        }
        bus.writew(avail + 2, availIdx);
    }

    /** Tells the device the queue has new buffers. */
    public void kick() {
        notifier.run();
    }

    /** The used ring's idx as the device last wrote it. */
    public int deviceUsedIdx() {
        return bus.readw(used + 2);
    }

    /** The used entries that appeared since the last call, without waiting. */
    public List<UsedElement> pollUsed() {
        int idx = deviceUsedIdx();
        int outstanding = (availIdx - lastUsedIdx) & 0xffff;
        int moved = (idx - lastUsedIdx) & 0xffff;
        if (moved > outstanding) {
            // A used idx that stepped back or jumped past what was made available (a torn or stray write): walking
            // it would take up to 65535 stale entries as used. The device broke the ring; nothing here is judged.
            throw new UsedRingException(String.format("queue %d: the device's used idx reads %d after %d, %d entries"
                    + " on, but only %d buffer(s) were available to it (avail idx %d); a used idx may only advance"
                    + " over buffers the driver made available (virtio 1.x §2.7.8)", index, idx, lastUsedIdx, moved,
                    outstanding, availIdx));
        }
        List<UsedElement> out = new ArrayList<>();
        while (lastUsedIdx != idx) {
            long e = used + 4 + 8L * (lastUsedIdx % size);
            int head = (int) bus.readl(e);
            long len = bus.readl(e + 4);
            out.add(new UsedElement(head, len, usedCount++));
            free(head);
            lastUsedIdx = (lastUsedIdx + 1) & 0xffff;
        }
        return out;
    }

    private void free(int head) {
        if (head < 0 || head >= size || !inUse[head]) {
            return; // a bogus id from the device: nothing of ours to free (the caller sees the id)
        }
        int slot = head;
        for (int i = 0; i < chainLength[head] && slot < size; i++) {
            inUse[slot] = false;
            int flags = bus.readw(desc + (long) Descriptor.SIZE * slot + 12);
            if ((flags & Descriptor.F_NEXT) == 0) {
                break;
            }
            slot = bus.readw(desc + (long) Descriptor.SIZE * slot + 14);
        }
    }

    /**
     * Waits until {@code count} more buffers are used or the deadline passes; then throws with what was
     * seen (used idx, entries collected, device status).
     */
    public List<UsedElement> awaitUsed(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<UsedElement> got = new ArrayList<>();
        long pause = 50_000;
        while (true) {
            got.addAll(pollUsed());
            if (got.size() >= count) {
                return got;
            }
            // A device that set DEVICE_NEEDS_RESET will not use anything more: no point waiting out the deadline.
            boolean gaveUp = pause >= 5_000_000 && (deviceStatus.getAsInt() & DeviceStatus.DEVICE_NEEDS_RESET) != 0;
            if (System.nanoTime() > deadline || gaveUp) {
                int status = deviceStatus.getAsInt();
                throw new NoUsedBufferException(String.format("queue %d: %d of %d buffers used within %d ms (avail idx %d,"
                        + " used idx %d, used so far %s, device status %s)", index, got.size(), count,
                        timeout.toMillis(), availIdx, deviceUsedIdx(), got, DeviceStatus.describe(status)), status);
            }
            // Fast devices answer within microseconds: poll tightly first, then back off.
            java.util.concurrent.locks.LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 5_000_000);
        }
    }
}
