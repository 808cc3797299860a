package dev.vmclock.conformance.faults;

import dev.vmclock.conformance.faults.RuntimeFault.AfterEvent;
import dev.vmclock.conformance.faults.RuntimeFault.PageFault;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.vm.SavedState;
import dev.vmclock.conformance.vm.Sibling;
import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/** Faults in the VM generation counter (the page advertises it): bumped too often, repeated, misplaced, or changed by reset. */
final class GenerationFaults {

    private GenerationFaults() {
    }

    /** With the generation counter advertised: it is bumped by every event, live migration and pause included. */
    public static final class GenerationOnEveryEvent extends RuntimeFault {
        public GenerationOnEveryEvent() {
            super("generation-on-every-event", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    long generation = PageField.VM_GENERATION_COUNTER.read(current().raw());
                    device().update(Map.of(PageField.VM_GENERATION_COUNTER, generation + 1));
                }
            });
        }
    }

    /** With the generation counter advertised: each restore toggles its low bit, so it alternates between two values. */
    public static final class GenerationAlternates extends RuntimeFault {
        public GenerationAlternates() {
            super("generation-alternates", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    if (event == Event.SNAPSHOT_LOAD || event == Event.FILE_RESTORE) {
                        device().update(Map.of(PageField.VM_GENERATION_COUNTER, before.vmGenerationCounter() ^ 1));
                    }
                }
            });
        }
    }

    /**
     * With the generation counter advertised: each restore bumps a 64-bit counter at 0x64, where UAPI.13 v1.0
     * placed it (inside time_maxerror_nanosec), and leaves 0x68 alone.
     */
    public static final class GenerationAtV10Offset extends RuntimeFault {
        static final int V10_OFFSET = 0x64;

        public GenerationAtV10Offset() {
            super("generation-at-v1.0-offset", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    if (event == Event.SNAPSHOT_LOAD || event == Event.FILE_RESTORE) {
                        device().update(p -> {
                            ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
                            b.putLong(V10_OFFSET, b.getLong(V10_OFFSET) + 1);
                        });
                    }
                }
            });
        }
    }

    /**
     * With the generation counter advertised: a correct counter (a new value, never presented before, after
     * every loadvm and restore, in place or in a clone) that also changes on system_reset, where it must
     * stay. The fresh machine and the clones are seen from the host only, so their counter is presented in
     * the host's copies of their page.
     */
    public static final class GenerationChangedByReset extends RuntimeFault {
        public GenerationChangedByReset() {
            super("generation-changed-by-reset", target -> new PageFault(target) {
                private long generations;

                private synchronized long next() {
                    return 0x100 + ++generations;
                }

                private List<EventResult> bumped(List<EventResult> steps) {
                    device().update(Map.of(PageField.VM_GENERATION_COUNTER, next()));
                    return steps;
                }

                @Override
                public List<EventResult> undergo(Event event) {
                    List<EventResult> steps = super.undergo(event);
                    return event == Event.SNAPSHOT_LOAD || event == Event.FILE_RESTORE ? bumped(steps) : steps;
                }

                @Override
                public EventResult loadSnapshot(String tag) {
                    return bumped(List.of(super.loadSnapshot(tag))).get(0);
                }

                @Override
                public EventResult restore(SavedState state) {
                    return bumped(List.of(super.restore(state))).get(0);
                }

                @Override
                public Sibling startSibling(SavedState state) {
                    return new CounterPresented(super.startSibling(state), location().address(), next());
                }

                @Override
                public Sibling freshMachine() {
                    long address = location().address();
                    long afterReset = next();
                    return new CounterPresented(super.freshMachine(), address, -1) {
                        @Override
                        public EventResult reset() {
                            EventResult r = super.reset();
                            present(afterReset);
                            return r;
                        }
                    };
                }
            });
        }
    }

    /** A sibling machine whose page shows {@code counter} as vm_generation_counter (none while it is -1). */
    static class CounterPresented implements Sibling {
        private final Sibling sibling;
        private final long counterAddress;
        private volatile long counter;

        CounterPresented(Sibling sibling, long pageAddress, long counter) {
            this.sibling = sibling;
            this.counterAddress = pageAddress + PageField.VM_GENERATION_COUNTER.offset();
            this.counter = counter;
        }

        void present(long value) {
            counter = value;
        }

        @Override
        public PhysicalMemory hostMemory() {
            PhysicalMemory inner = sibling.hostMemory();
            return (address, length) -> {
                byte[] bytes = inner.read(address, length);
                long c = counter;
                if (c >= 0 && address <= counterAddress && address + length >= counterAddress + 8) {
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong((int) (counterAddress - address), c);
                }
                return bytes;
            };
        }

        @Override
        public EventResult reset() {
            return sibling.reset();
        }

        @Override
        public void close() {
            sibling.close();
        }
    }
}
