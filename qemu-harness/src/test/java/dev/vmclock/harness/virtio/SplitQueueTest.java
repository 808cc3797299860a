package dev.vmclock.harness.virtio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.memory.IoBus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    /** Guest RAM as a little-endian byte buffer; no ports. */
    private static final class RamBus implements IoBus {
        private final ByteBuffer ram;

        RamBus(int size) {
            ram = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public byte[] read(long address, int length) {
            byte[] b = new byte[length];
            ram.get((int) address, b);
            return b;
        }

        @Override
        public void write(long address, byte[] bytes) {
            ram.put((int) address, bytes);
        }

        @Override
        public int readb(long address) {
            return Byte.toUnsignedInt(ram.get((int) address));
        }

        @Override
        public int readw(long address) {
            return Short.toUnsignedInt(ram.getShort((int) address));
        }

        @Override
        public long readl(long address) {
            return Integer.toUnsignedLong(ram.getInt((int) address));
        }

        @Override
        public long readq(long address) {
            return ram.getLong((int) address);
        }

        @Override
        public void writeb(long address, int value) {
            ram.put((int) address, (byte) value);
        }

        @Override
        public void writew(long address, int value) {
            ram.putShort((int) address, (short) value);
        }

        @Override
        public void writel(long address, long value) {
            ram.putInt((int) address, (int) value);
        }

        @Override
        public void writeq(long address, long value) {
            ram.putLong((int) address, value);
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
