package dev.vmclock.harness.page;

import dev.vmclock.harness.memory.PhysicalMemory;
import java.time.Duration;

/**
 * Reads the VMClock page from the host exactly as a guest must: copy the page, then re-read seq_count;
 * the copy counts only if seq_count was even in it and unchanged afterwards. A page copy reads
 * seq_count (offset 0x0c) before every non-constant field, so this matches the guest's protocol.
 */
public final class HostPageReader {

    /** How long a reader may spin on an odd or moving seq_count before calling it stuck. */
    public static final Duration DEFAULT_SPIN_BOUND = Duration.ofSeconds(1);

    private final PhysicalMemory memory;
    private final PageLocation location;
    private final Duration spinBound;

    public HostPageReader(PhysicalMemory memory, PageLocation location) {
        this(memory, location, DEFAULT_SPIN_BOUND);
    }

    public HostPageReader(PhysicalMemory memory, PageLocation location, Duration spinBound) {
        this.memory = memory;
        this.location = location;
        this.spinBound = spinBound;
    }

    public PageLocation location() {
        return location;
    }

    /** One consistent read; throws {@link SeqCountStuckException} past the spin bound. */
    public SeqlockRead read() {
        long t0 = System.nanoTime();
        long deadline = t0 + spinBound.toNanos();
        int attempts = 0;
        while (true) {
            VmclockPage page = readRaw();
            attempts++;
            if (!page.updateInProgress()) {
                long seqAfter = PageField.SEQ_COUNT.read(memory.read(location.address(), PageField.SEQ_COUNT.offset()
                        + PageField.SEQ_COUNT.width()));
                if (seqAfter == page.seqCount()) {
                    return new SeqlockRead(page, attempts - 1, Duration.ofNanos(System.nanoTime() - t0));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new SeqCountStuckException(page, attempts, (System.nanoTime() - t0) / 1_000_000);
            }
            Thread.onSpinWait();
        }
    }

    /** One copy of the page with no protocol at all: to observe an odd seq_count, for instance. */
    public VmclockPage readRaw() {
        return VmclockPage.decode(memory.read(location.address(), (int) Math.max(location.length(), PageField.STRUCT_SIZE)));
    }
}
