package dev.vmclock.harness.page;

import dev.vmclock.harness.memory.WritableMemory;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Plays the hypervisor's side of the page from the host. {@link #update} follows UAPI.13's writer
 * protocol (seq_count to odd, change fields, seq_count to the next even value); the other methods break
 * it on purpose, to prove that the suite notices.
 */
public final class HypervisorWriter {

    private final WritableMemory memory;
    private final PageLocation location;

    public HypervisorWriter(WritableMemory memory, PageLocation location) {
        this.memory = memory;
        this.location = location;
    }

    /** A well-formed update: {@code edit} receives a copy of the page and changes fields in it. */
    public VmclockPage update(Consumer<byte[]> edit) {
        byte[] page = current();
        long seq = PageField.SEQ_COUNT.read(page);
        long odd = (seq | 1) == seq ? seq + 2 : seq + 1;
        write(PageField.SEQ_COUNT, odd);
        byte[] edited = page.clone();
        edit.accept(edited);
        for (PageField f : PageField.values()) {
            if (f != PageField.SEQ_COUNT && f.read(edited) != f.read(page)) {
                write(f, f.read(edited));
            }
        }
        write(PageField.SEQ_COUNT, odd + 1);
        return VmclockPage.decode(current());
    }

    /** A well-formed update of a few fields. */
    public VmclockPage update(Map<PageField, Long> fields) {
        return update(p -> fields.forEach((f, v) -> f.write(p, v)));
    }

    /** Fault: changes a field without touching seq_count, so a reader can see a torn update. */
    public void writeWithoutSeqCount(PageField field, long value) {
        write(field, value);
    }

    /** Fault: starts an update (seq_count odd) and never finishes it. */
    public void leaveSeqCountOdd() {
        long seq = PageField.SEQ_COUNT.read(current());
        write(PageField.SEQ_COUNT, (seq & 1) == 0 ? seq + 1 : seq);
    }

    public VmclockPage read() {
        return VmclockPage.decode(current());
    }

    private byte[] current() {
        return memory.read(location.address(), PageField.STRUCT_SIZE);
    }

    private void write(PageField field, long value) {
        byte[] bytes = new byte[field.width()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (value >>> (8 * i));
        }
        memory.write(location.address() + field.offset(), bytes);
    }
}
