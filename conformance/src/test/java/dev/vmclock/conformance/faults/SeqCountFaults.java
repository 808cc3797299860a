package dev.vmclock.conformance.faults;

import dev.vmclock.conformance.faults.RuntimeFault.AfterEvent;
import dev.vmclock.conformance.faults.RuntimeFault.PageFault;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.memory.WritableMemory;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.time.Duration;
import java.util.Set;

/** Faults in the seq_count protocol: updates readers cannot tell from whole copies, or that never end. */
final class SeqCountFaults {

    private SeqCountFaults() {
    }

    /** The hypervisor's page memory with every write of seq_count passed to {@code onSeqCount} instead. */
    abstract static class SeqCountWrites extends PageFault {
        SeqCountWrites(VmTarget delegate) {
            super(delegate);
        }

        @Override
        public WritableMemory hypervisorMemory() {
            WritableMemory inner = delegate.hypervisorMemory();
            long seqAddress = location().address() + PageField.SEQ_COUNT.offset();
            return new WritableMemory() {
                @Override
                public byte[] read(long address, int length) {
                    return inner.read(address, length);
                }

                @Override
                public void write(long address, byte[] bytes) {
                    if (address == seqAddress) {
                        onSeqCount(inner, address, bytes, (bytes[0] & 1) != 0);
                    } else {
                        inner.write(address, bytes);
                    }
                }
            };
        }

        abstract void onSeqCount(WritableMemory memory, long address, byte[] bytes, boolean odd);
    }

    /** A field after time_type changes between any two host copies of the page while seq_count stays the same. */
    public static final class FieldWithoutSeqCount extends RuntimeFault {
        public FieldWithoutSeqCount() {
            super("field-without-seq-count", target -> new PageFault(target) {
                private long tornWrites;

                @Override
                public PhysicalMemory hostMemory() {
                    PhysicalMemory inner = delegate.hostMemory();
                    return (address, length) -> {
                        byte[] bytes = inner.read(address, length);
                        // Tied to host copies of the page rather than a timer, so the same checks see it every run.
                        if (length >= PageField.STRUCT_SIZE && address == location().address()) {
                            device().writeWithoutSeqCount(PageField.TIME_ESTERROR_NANOSEC, ++tornWrites);
                        }
                        return bytes;
                    };
                }
            });
        }
    }

    /** Right after boot an update starts (seq_count odd) and never finishes; the suite's own updates do not heal it. */
    public static final class SeqCountLeftOdd extends RuntimeFault {
        public SeqCountLeftOdd() {
            super("seq-count-left-odd", target -> new SeqCountWrites(target) {
                private boolean started;

                @Override
                public synchronized GuestAgent guest() {
                    GuestAgent g = delegate.guest();
                    if (!started) {
                        started = true;
                        device().leaveSeqCountOdd();
                    }
                    return g;
                }

                @Override
                void onSeqCount(WritableMemory memory, long address, byte[] bytes, boolean odd) {
                    memory.write(address, bytes);
                    if (!odd) {
                        device().leaveSeqCountOdd(); // whatever the suite completes, the device reopens
                    }
                }
            });
        }
    }

    /**
     * The device updates the page on loadvm, live migration and restore (the new marker) but then puts
     * seq_count back to its pre-event value, as if the update never happened for a reader.
     */
    public static final class SeqCountKeptAcrossUpdate extends RuntimeFault {
        public SeqCountKeptAcrossUpdate() {
            super("seq-count-kept-across-update", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    if (Set.of(Event.SNAPSHOT_LOAD, Event.FILE_RESTORE, Event.LIVE_MIGRATION).contains(event)) {
                        device().writeWithoutSeqCount(PageField.SEQ_COUNT, before.seqCount());
                    }
                }
            });
        }
    }

    /**
     * seq_count goes backwards across chained events: after each live migration and restore from file the
     * device completes a well-formed update (odd, then even) whose even value is below the one before the
     * event. It still differs from that value and is even (VMC-SEQ-03 holds); loadvm is left correct.
     */
    public static final class SeqCountDecreases extends RuntimeFault {
        public SeqCountDecreases() {
            super("seq-count-decreases", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    if (event == Event.LIVE_MIGRATION || event == Event.FILE_RESTORE) {
                        long now = current().seqCount();
                        device().writeWithoutSeqCount(PageField.SEQ_COUNT, now | 1);
                        device().writeWithoutSeqCount(PageField.SEQ_COUNT, (before.seqCount() - 2) & 0xfffffffeL);
                    }
                }
            });
        }
    }

    /**
     * The writer never makes seq_count odd: it changes the fields under the old even value and then moves
     * it on by two, so a reader cannot tell a copy taken mid-update from a whole one.
     */
    public static final class FieldsBeforeSeqCount extends RuntimeFault {
        public FieldsBeforeSeqCount() {
            super("fields-before-seq-count", target -> new SeqCountWrites(target) {
                @Override
                void onSeqCount(WritableMemory memory, long address, byte[] bytes, boolean odd) {
                    if (!odd) {
                        memory.write(address, bytes);
                    }
                }
            });
        }
    }

    /** Every update keeps seq_count odd for three times the Linux driver's 100 ms wait before it goes on. */
    public static final class SlowOddWindow extends RuntimeFault {
        static final Duration HELD_ODD = Duration.ofMillis(300);

        public SlowOddWindow() {
            super("slow-odd-window", target -> new SeqCountWrites(target) {
                @Override
                void onSeqCount(WritableMemory memory, long address, byte[] bytes, boolean odd) {
                    memory.write(address, bytes);
                    if (odd) {
                        try {
                            Thread.sleep(HELD_ODD.toMillis());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            });
        }
    }
}
