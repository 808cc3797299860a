package dev.vmclock.harness.virtio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.memory.IoBus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The driver's reading of the used ring, against a device played by hand in a plain byte array. */
class SplitQueueTest {

    private static final int SIZE = 8;

    private final RamBus ram = new RamBus(1 << 16);
    private final SplitQueue queue = new SplitQueue(ram, 0, SIZE, 0x1000, () -> { }, () -> 0x0f);

    @Test
    void usedEntriesAreReadOnceEach() {
        int head = queue.add(List.of(new Descriptor(0x8000, 16, true)));
        queue.publish(List.of(head));
        deviceUses(0, head, 16, 1);

        assertThat(queue.pollUsed()).containsExactly(new UsedElement(head, 16, 0));
        assertThat(queue.pollUsed()).isEmpty();
    }

    @Test
    void usedIdxWrapsAt65536() {
        for (int i = 0; i < 65540; i++) {
            int head = queue.add(List.of(new Descriptor(0x8000, 16, true)));
            queue.publish(List.of(head));
            deviceUses(i % SIZE, head, 16, (i + 1) & 0xffff);
            assertThat(queue.pollUsed()).singleElement().extracting(UsedElement::position).isEqualTo(i);
        }
    }

    @Test
    void usedIdxSteppingBackIsAnErrorNotA65535EntryWalk() {
        int head = queue.add(List.of(new Descriptor(0x8000, 16, true)));
        queue.publish(List.of(head));
        deviceUses(0, head, 16, 1);
        queue.pollUsed();
        int next = queue.add(List.of(new Descriptor(0x8000, 16, true)));
        queue.publish(List.of(next));
        ram.writew(queue.usedRing() + 2, 0); // what a device zeroing the idx before storing it shows a poller

        assertThatThrownBy(queue::pollUsed).isInstanceOf(UsedRingException.class)
                .hasMessageContaining("used idx reads 0 after 1, 65535 entries on, but only 1 buffer(s) were available");
    }

    @Test
    void usedIdxPastWhatWasAvailableIsAnError() {
        int head = queue.add(List.of(new Descriptor(0x8000, 16, true)));
        queue.publish(List.of(head));
        deviceUses(0, head, 16, 3);

        assertThatThrownBy(queue::pollUsed).isInstanceOf(UsedRingException.class)
                .hasMessageContaining("used idx reads 3 after 0");
    }

    private void deviceUses(int slot, int head, int length, int newIdx) {
        long element = queue.usedRing() + 4 + 8L * slot;
        ram.writel(element, head);
        ram.writel(element + 4, length);
        ram.writew(queue.usedRing() + 2, newIdx);
    }

    /** Guest RAM as a byte array; no ports. */
    private static final class RamBus implements IoBus {
        private final byte[] ram;

        RamBus(int size) {
            ram = new byte[size];
        }

        @Override
        public byte[] read(long address, int length) {
            byte[] b = new byte[length];
            System.arraycopy(ram, (int) address, b, 0, length);
            return b;
        }

        @Override
        public void write(long address, byte[] bytes) {
            System.arraycopy(bytes, 0, ram, (int) address, bytes.length);
        }

        private long get(long address, int n) {
            long v = 0;
            for (int i = n - 1; i >= 0; i--) {
                v = v << 8 | ram[(int) address + i] & 0xff;
            }
            return v;
        }

        private void put(long address, int n, long v) {
            for (int i = 0; i < n; i++) {
                ram[(int) address + i] = (byte) (v >>> 8 * i);
            }
        }

        @Override
        public int readb(long address) {
            return (int) get(address, 1);
        }

        @Override
        public int readw(long address) {
            return (int) get(address, 2);
        }

        @Override
        public long readl(long address) {
            return get(address, 4);
        }

        @Override
        public long readq(long address) {
            return get(address, 8);
        }

        @Override
        public void writeb(long address, int value) {
            put(address, 1, value);
        }

        @Override
        public void writew(long address, int value) {
            put(address, 2, value);
        }

        @Override
        public void writel(long address, long value) {
            put(address, 4, value);
        }

        @Override
        public void writeq(long address, long value) {
            put(address, 8, value);
        }

        @Override
        public int inb(int port) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int inw(int port) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int inl(int port) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void outb(int port, int value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void outw(int port, int value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void outl(int port, int value) {
            throw new UnsupportedOperationException();
        }
    }
}
