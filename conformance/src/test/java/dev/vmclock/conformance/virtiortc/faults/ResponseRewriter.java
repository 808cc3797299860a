package dev.vmclock.conformance.virtiortc.faults;

import dev.vmclock.harness.memory.IoBus;
import dev.vmclock.harness.virtio.Descriptor;
import dev.vmclock.harness.virtio.Le;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A broken device made from the real one: whenever the driver reads the requestq's used idx, every newly
 * used response is rewritten in guest memory (bytes and used length) before the driver can read it, as a
 * device that wrote those bytes would have. The requestq is found as the driver programs it: queue_desc,
 * queue_driver and queue_device are the transport's only 64-bit register writes, queue 0 first.
 */
abstract class ResponseRewriter extends ForwardingBus {

    /** One used response: its request's bytes, what the device wrote, the used length; faults edit the last two. */
    static final class Response {
        final int msgType;
        final byte[] request;
        byte[] bytes;
        long usedLength;

        Response(byte[] request, byte[] bytes, long usedLength) {
            this.request = request;
            this.msgType = request.length >= 2 ? Le.u16(request, 0) : -1;
            this.bytes = bytes;
            this.usedLength = usedLength;
        }
    }

    private final List<Long> queueRegisters = new ArrayList<>();
    private long desc = -1;
    private long used = -1;
    private int size;
    private int seen;

    ResponseRewriter(IoBus device) {
        super(device);
    }

    /** Edits one response in place; {@code readable} are the request's device-readable descriptors (address, length). */
    abstract void rewrite(Response r);

    /** Called with the request's readable buffers, for faults that write where the device must not. */
    void afterUse(List<long[]> readable) {
    }

    @Override
    public void writeq(long address, long value) {
        super.writeq(address, value);
        queueRegisters.add(value);
        if (queueRegisters.size() % 3 == 0 && desc == -1 || queueRegisters.size() % 3 == 0 && value == used) {
            // Queue 0's triple (the first, and again after every reset at the same place).
            int n = queueRegisters.size();
            desc = queueRegisters.get(n - 3);
            used = queueRegisters.get(n - 1);
            size = (int) ((queueRegisters.get(n - 2) - desc) / Descriptor.SIZE);
            seen = 0;
        }
    }

    @Override
    public int readw(long address) {
        int idx = super.readw(address);
        if (used >= 0 && address == used + 2) {
            while (seen != idx) {
                rewriteEntry(seen);
                seen = (seen + 1) & 0xffff;
            }
        }
        return idx;
    }

    private void rewriteEntry(int position) {
        long entry = used + 4 + 8L * (position % size);
        int head = (int) device.readl(entry);
        long len = device.readl(entry + 4);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        List<long[]> readable = new ArrayList<>();
        List<long[]> writable = new ArrayList<>();
        int slot = head;
        for (int i = 0; i < size; i++) {
            byte[] d = device.read(desc + (long) Descriptor.SIZE * slot, Descriptor.SIZE);
            long addr = Le.u64(d, 0);
            int length = (int) Le.u32(d, 8);
            int flags = Le.u16(d, 12);
            if ((flags & Descriptor.F_WRITE) != 0) {
                writable.add(new long[] {addr, length});
            } else {
                readable.add(new long[] {addr, length});
                request.writeBytes(device.read(addr, length));
            }
            if ((flags & Descriptor.F_NEXT) == 0) {
                break;
            }
            slot = Le.u16(d, 14);
        }
        int total = writable.stream().mapToInt(w -> (int) w[1]).sum();
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        writable.forEach(w -> written.writeBytes(device.read(w[0], (int) w[1])));
        Response r = new Response(request.toByteArray(), written.toByteArray(), len);
        rewrite(r);
        int off = 0;
        for (long[] w : writable) {
            int n = (int) Math.min(w[1], Math.max(0, Math.min(r.bytes.length, total) - off));
            if (n > 0) {
                byte[] part = new byte[n];
                System.arraycopy(r.bytes, off, part, 0, n);
                device.write(w[0], part);
            }
            off += (int) w[1];
        }
        device.writel(entry + 4, r.usedLength);
        afterUse(readable);
    }
}
