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
 * queue_driver and queue_device are the transport's only 64-bit register writes, queue 0 first; programming
 * it again is the driver's re-initialization after a reset ({@link #onReset()}).
 */
abstract class ResponseRewriter extends ForwardingBus {

    /** One used response: its request's bytes, what the device wrote, the used length; faults edit the last two. */
    static final class Response {
        final int msgType;
        final byte[] request;
        /** The chain's device-readable and device-writable descriptors, as {address, length}. */
        final List<long[]> readable;
        final List<long[]> writable;
        byte[] bytes;
        long usedLength;

        Response(byte[] request, List<long[]> readable, List<long[]> writable, byte[] bytes, long usedLength) {
            this.request = request;
            this.readable = readable;
            this.writable = writable;
            this.msgType = request.length >= 2 ? Le.u16(request, 0) : -1;
            this.bytes = bytes;
            this.usedLength = usedLength;
        }

        int status() {
            return bytes.length > 0 ? bytes[0] & 0xff : -1;
        }

        /** clock_id of a request that has one (all but CFG) at offset 8; SET_ALARM's is at 16. */
        int clockId() {
            int off = msgType == dev.vmclock.harness.virtio.rtc.MsgType.REQ_SET_ALARM.code() ? 16 : 8;
            return request.length >= off + 2 ? Le.u16(request, off) : -1;
        }

        /** Sets the status and writes the rest of a response structure of {@code size} bytes as zero. */
        void answer(int status, int size) {
            if (bytes.length < size) {
                return; // no room: leave what the device wrote
            }
            for (int i = 0; i < size; i++) {
                bytes[i] = 0;
            }
            bytes[0] = (byte) status;
            usedLength = size;
        }
    }

    private final List<Long> queueRegisters = new ArrayList<>();
    protected long desc = -1;
    protected long avail = -1;
    protected long used = -1;
    protected int size;
    private int seen;

    ResponseRewriter(IoBus device) {
        super(device);
    }

    /** Edits one response in place. */
    abstract void rewrite(Response r);

    /** Called with the request's readable buffers, for faults that write where the device must not. */
    void afterUse(List<long[]> readable) {
    }

    /** Called once the entries at used-ring positions [from, to) were rewritten, before the driver reads them. */
    void afterBatch(int from, int to) {
    }

    /** Whether {@link #onAvailable} is wanted (it costs a walk of every chain the driver makes available). */
    boolean watchesAvailable() {
        return false;
    }

    /** Called when the driver makes a chain available on the requestq (before the device sees it). */
    void onAvailable(List<long[]> readable, List<long[]> writable) {
    }

    /** Called when the driver sets the requestq up again: the device was reset. */
    void onReset() {
    }

    @Override
    public void writeq(long address, long value) {
        super.writeq(address, value);
        queueRegisters.add(value);
        if (queueRegisters.size() % 3 == 0 && desc == -1 || queueRegisters.size() % 3 == 0 && value == used) {
            // Queue 0's triple (the first, and again after every reset at the same place).
            int n = queueRegisters.size();
            desc = queueRegisters.get(n - 3);
            avail = queueRegisters.get(n - 2);
            used = queueRegisters.get(n - 1);
            size = (int) ((avail - desc) / Descriptor.SIZE);
            seen = 0;
            availSeen = 0;
            onReset();
        }
    }

    private int availSeen;

    @Override
    public void writew(long address, int value) {
        if (avail >= 0 && address == avail + 2 && watchesAvailable()) {
            while (availSeen != value) {
                int head = device.readw(avail + 4 + 2L * (availSeen % size));
                List<long[]> readable = new ArrayList<>();
                List<long[]> writable = new ArrayList<>();
                chain(head, readable, writable);
                onAvailable(readable, writable);
                availSeen = (availSeen + 1) & 0xffff;
            }
        }
        super.writew(address, value);
    }

    @Override
    public int readw(long address) {
        int idx = super.readw(address);
        if (used >= 0 && address == used + 2) {
            int from = seen;
            while (seen != idx) {
                rewriteEntry(seen);
                seen = (seen + 1) & 0xffff;
            }
            if (from != idx) {
                afterBatch(from, idx);
            }
        }
        return idx;
    }

    /** Exchanges the used-ring entries (id and len) at two positions. */
    void swapUsed(int a, int b) {
        long ea = used + 4 + 8L * (a % size);
        long eb = used + 4 + 8L * (b % size);
        byte[] x = device.read(ea, 8);
        byte[] y = device.read(eb, 8);
        device.write(ea, y);
        device.write(eb, x);
    }

    /** msg_type of the request whose chain starts at descriptor {@code head}. */
    int msgTypeOf(int head) {
        List<long[]> readable = new ArrayList<>();
        chain(head, readable, new ArrayList<>());
        return readable.isEmpty() || readable.get(0)[1] < 2 ? -1 : device.readw(readable.get(0)[0]);
    }

    /** Head of the used-ring entry at {@code position}. */
    int usedHead(int position) {
        return (int) device.readl(used + 4 + 8L * (position % size));
    }

    private void chain(int head, List<long[]> readable, List<long[]> writable) {
        int slot = head;
        for (int i = 0; i < size; i++) {
            byte[] d = device.read(desc + (long) Descriptor.SIZE * slot, Descriptor.SIZE);
            long addr = Le.u64(d, 0);
            int length = (int) Le.u32(d, 8);
            int flags = Le.u16(d, 12);
            ((flags & Descriptor.F_WRITE) != 0 ? writable : readable).add(new long[] {addr, length});
            if ((flags & Descriptor.F_NEXT) == 0) {
                break;
            }
            slot = Le.u16(d, 14);
        }
    }

    private void rewriteEntry(int position) {
        long entry = used + 4 + 8L * (position % size);
        int head = (int) device.readl(entry);
        long len = device.readl(entry + 4);
        List<long[]> readable = new ArrayList<>();
        List<long[]> writable = new ArrayList<>();
        chain(head, readable, writable);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        readable.forEach(r -> request.writeBytes(device.read(r[0], (int) r[1])));
        int total = writable.stream().mapToInt(w -> (int) w[1]).sum();
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        writable.forEach(w -> written.writeBytes(device.read(w[0], (int) w[1])));
        Response r = new Response(request.toByteArray(), readable, writable, written.toByteArray(), len);
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
