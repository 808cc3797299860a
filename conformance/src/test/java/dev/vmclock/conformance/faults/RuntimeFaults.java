package dev.vmclock.conformance.faults;

import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.vm.ForwardingVmTarget;
import dev.vmclock.conformance.vm.SavedState;
import dev.vmclock.conformance.vm.Sibling;
import dev.vmclock.conformance.vm.TargetDecorator;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.memory.WritableMemory;
import dev.vmclock.harness.page.HostPageReader;
import dev.vmclock.harness.page.HypervisorWriter;
import dev.vmclock.harness.page.LeapIndicator;
import dev.vmclock.harness.page.ClockStatus;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.PageLocation;
import dev.vmclock.harness.page.PageLocator;
import dev.vmclock.harness.page.VmclockPage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Deliberate misbehaviour added to a correct implementation at run time by playing the hypervisor's
 * writer (the qtest socket), to prove that the suite notices: each must make exactly its clauses FAIL.
 * They wrap the target, so every view and check sees the broken device; production code has no hook.
 */
final class RuntimeFaults {

    private RuntimeFaults() {
    }

    /** A decorator by id: the id {@code vmclock.fault} names and the wrapper it puts around the target. */
    abstract static class Named implements TargetDecorator {
        private final String id;
        private final UnaryOperator<VmTarget> wrap;

        Named(String id, UnaryOperator<VmTarget> wrap) {
            this.id = id;
            this.wrap = wrap;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public VmTarget decorate(VmTarget target) {
            return wrap.apply(target);
        }
    }

    /** The page of a target, read and written around the decorator (the device's own side). */
    abstract static class PageFault extends ForwardingVmTarget {
        private PageLocation location;

        PageFault(VmTarget delegate) {
            super(delegate);
        }

        synchronized PageLocation location() {
            if (location == null) {
                location = PageLocator.locate(delegate.hostMemory(), Duration.ofSeconds(10));
            }
            return location;
        }

        VmclockPage current() {
            return new HostPageReader(delegate.hostMemory(), location()).readRaw();
        }

        HypervisorWriter device() {
            return new HypervisorWriter(delegate.hypervisorMemory(), location());
        }
    }

    /** A fault applied after each event the target undergoes in place, knowing the page before it. */
    abstract static class AfterEvent extends PageFault {
        AfterEvent(VmTarget delegate) {
            super(delegate);
        }

        @Override
        public List<EventResult> undergo(Event event) {
            VmclockPage before = current();
            List<EventResult> steps = super.undergo(event);
            after(event, before);
            return steps;
        }

        // A broken device is broken however the suite drives the event: the primitives count too.
        @Override
        public EventResult saveSnapshot(String tag) {
            return around(Event.SNAPSHOT_SAVE, () -> super.saveSnapshot(tag));
        }

        @Override
        public EventResult loadSnapshot(String tag) {
            return around(Event.SNAPSHOT_LOAD, () -> super.loadSnapshot(tag));
        }

        @Override
        public EventResult restore(SavedState state) {
            return around(Event.FILE_RESTORE, () -> super.restore(state));
        }

        private EventResult around(Event event, java.util.function.Supplier<EventResult> primitive) {
            VmclockPage before = current();
            EventResult r = primitive.get();
            after(event, before);
            return r;
        }

        abstract void after(Event event, VmclockPage before);
    }

    /** A field after time_type changes between any two host copies of the page while seq_count stays the same. */
    public static final class FieldWithoutSeqCount extends Named {
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
    public static final class SeqCountLeftOdd extends Named {
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

    /** After every lifecycle event, a constant field (counter_id) is rewritten (its low bit toggled). */
    public static final class ConstantRewrittenAfterEvent extends Named {
        public ConstantRewrittenAfterEvent() {
            super("constant-rewritten-after-event", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    // Toggled at every event, so every event shows it whatever the order of the checks.
                    long id = PageField.COUNTER_ID.read(current().raw());
                    device().update(Map.of(PageField.COUNTER_ID, id ^ 1));
                }
            });
        }
    }

    /** After each restore (loadvm, restore from file) the marker is set back to its pre-event value. */
    public static final class MarkerRolledBackAfterRestore extends Named {
        public MarkerRolledBackAfterRestore() {
            super("marker-rolled-back-after-restore", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    if (event == Event.SNAPSHOT_LOAD || event == Event.FILE_RESTORE) {
                        device().update(Map.of(PageField.DISRUPTION_MARKER, before.disruptionMarker()));
                    }
                }
            });
        }
    }

    /**
     * The device updates the page on loadvm, live migration and restore (the new marker) but then puts
     * seq_count back to its pre-event value, as if the update never happened for a reader.
     */
    public static final class SeqCountKeptAcrossUpdate extends Named {
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
     * The marker follows the wrong events: put back after a live migration (the counter was disrupted, the
     * guest is not told), and bumped by savevm and pause/resume (nothing was disrupted).
     */
    public static final class MarkerOnWrongEvents extends Named {
        public MarkerOnWrongEvents() {
            super("marker-on-wrong-events", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    long marker = event == Event.LIVE_MIGRATION ? before.disruptionMarker()
                            : event == Event.SNAPSHOT_SAVE || event == Event.PAUSE_RESUME ? before.disruptionMarker() + 1
                            : -1;
                    if (marker >= 0) {
                        device().update(Map.of(PageField.DISRUPTION_MARKER, marker));
                    }
                }
            });
        }
    }

    /** With the generation counter advertised: it is bumped by every event, live migration and pause included. */
    public static final class GenerationOnEveryEvent extends Named {
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

    /**
     * The marker changes on every disruption but alternates between two values (its low bit toggled): each
     * change differs from the value before it, yet returns to one the guest already saw in its timeline.
     */
    public static final class MarkerAlternates extends Named {
        public MarkerAlternates() {
            super("marker-alternates", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    if (Set.of(Event.SNAPSHOT_LOAD, Event.FILE_RESTORE, Event.LIVE_MIGRATION).contains(event)) {
                        device().update(Map.of(PageField.DISRUPTION_MARKER, before.disruptionMarker() ^ 1));
                    }
                }
            });
        }
    }

    /** With the generation counter advertised: each restore toggles its low bit, so it alternates between two values. */
    public static final class GenerationAlternates extends Named {
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
    public static final class GenerationAtV10Offset extends Named {
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
     * The marker written at the wrong offset: after each disruption the new value lands in the 8 bytes at
     * 0x58 (time_esterror_nanosec, unused on a page with no clock) and 0x10 keeps its old value.
     */
    public static final class MarkerAtWrongOffset extends Named {
        public MarkerAtWrongOffset() {
            super("marker-at-wrong-offset", target -> new AfterEvent(target) {
                private long disruptions;

                @Override
                void after(Event event, VmclockPage before) {
                    if (Set.of(Event.SNAPSHOT_LOAD, Event.FILE_RESTORE, Event.LIVE_MIGRATION).contains(event)) {
                        // The device's own marker, new at every disruption as a marker must be, lands at 0x58 (time_esterror_nanosec):
                        // whatever events came before, each one changes that field (no verdict depends on order).
                        long written = current().disruptionMarker() + (++disruptions << 32);
                        device().update(Map.of(PageField.DISRUPTION_MARKER, before.disruptionMarker(),
                                PageField.TIME_ESTERROR_NANOSEC, written));
                    }
                }
            });
        }
    }

    /**
     * A constant field changes while the VM runs, with no event: every host copy of the page flips time_type
     * between UTC and TAI (a constant has no seq_count protocol, so the write does not touch seq_count).
     */
    public static final class ConstantChangedWhileRunning extends Named {
        public ConstantChangedWhileRunning() {
            super("constant-changed-while-running", target -> new PageFault(target) {
                @Override
                public PhysicalMemory hostMemory() {
                    PhysicalMemory inner = delegate.hostMemory();
                    return (address, length) -> {
                        byte[] bytes = inner.read(address, length);
                        // Tied to host copies of the page rather than a timer, so the same checks see it every run.
                        if (length >= PageField.STRUCT_SIZE && address == location().address()) {
                            device().writeWithoutSeqCount(PageField.TIME_TYPE, PageField.TIME_TYPE.read(bytes) ^ 1);
                        }
                        return bytes;
                    };
                }
            });
        }
    }

    /**
     * seq_count goes backwards across chained events: after each live migration and restore from file the
     * device completes a well-formed update (odd, then even) whose even value is below the one before the
     * event. It still differs from that value and is even (VMC-SEQ-03 holds); loadvm is left correct.
     */
    public static final class SeqCountDecreases extends Named {
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
     * With the generation counter advertised: a correct counter (a new value, never presented before, after
     * every loadvm and restore, in place or in a clone) that also changes on system_reset, where it must
     * stay. The fresh machine and the clones are seen from the host only, so their counter is presented in
     * the host's copies of their page.
     */
    public static final class GenerationChangedByReset extends Named {
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

    /** A fault applied to the reference clock's page once, right after the first boot published it. */
    abstract static class AfterPublish extends PageFault {
        private boolean applied;

        AfterPublish(VmTarget delegate) {
            super(delegate);
        }

        @Override
        public synchronized GuestAgent guest() {
            GuestAgent g = delegate.guest();
            if (!applied) {
                applied = true;
                device().update(this::edit);
            }
            return g;
        }

        abstract void edit(byte[] page);
    }

    /**
     * With the reference clock: the four error fields flagged valid but out of range, the time errors over a
     * second and the period error rates larger than the period itself.
     */
    public static final class ErrorFieldsOutOfRange extends Named {
        public ErrorFieldsOutOfRange() {
            super("error-fields-out-of-range", target -> new AfterPublish(target) {
                @Override
                void edit(byte[] p) {
                    long period = PageField.COUNTER_PERIOD_FRAC_SEC.read(p);
                    PageField.TIME_ESTERROR_NANOSEC.write(p, 2_000_000_000L);
                    PageField.TIME_MAXERROR_NANOSEC.write(p, 3_000_000_000L);
                    PageField.COUNTER_PERIOD_ESTERROR_RATE_FRAC_SEC.write(p, period);
                    PageField.COUNTER_PERIOD_MAXERROR_RATE_FRAC_SEC.write(p, -1L);
                }
            });
        }
    }

    /** With the reference clock: leap_indicator POS (in the leap second now) at a reference time that is none. */
    public static final class LeapIndicatorWrong extends Named {
        public LeapIndicatorWrong() {
            super("leap-indicator-wrong", target -> new AfterPublish(target) {
                @Override
                void edit(byte[] p) {
                    PageField.LEAP_INDICATOR.write(p, LeapIndicator.POS.value());
                }
            });
        }
    }

    /**
     * With the reference clock: after each live migration the time is stepped by a second, two hundred times
     * the 5 ms maximum error the page declares (the next test's re-anchoring puts it right again).
     */
    public static final class TimeSteppedOutOfBounds extends Named {
        public TimeSteppedOutOfBounds() {
            super("time-stepped-out-of-bounds", target -> new AfterEvent(target) {
                @Override
                void after(Event event, VmclockPage before) {
                    if (event == Event.LIVE_MIGRATION) {
                        device().update(p -> PageField.TIME_SEC.write(p, PageField.TIME_SEC.read(p) + 1));
                    }
                }
            });
        }
    }

    /**
     * With the reference clock: status FREERUNNING ("valid and may be relied upon") while the time is two
     * minutes ahead; kept two minutes ahead whenever the suite re-anchors the clock.
     */
    public static final class FreerunningTwoMinutesAhead extends Named {
        static final long AHEAD_SEC = 120;

        public FreerunningTwoMinutesAhead() {
            super("freerunning-two-minutes-ahead", target -> new AfterPublish(target) {
                private long anchoredCounter = -1;

                @Override
                void edit(byte[] p) {
                    PageField.CLOCK_STATUS.write(p, ClockStatus.FREERUNNING.value());
                    PageField.TIME_SEC.write(p, PageField.TIME_SEC.read(p) + AHEAD_SEC);
                    anchoredCounter = PageField.COUNTER_VALUE.read(p);
                }

                @Override
                public void beginTest(String name) {
                    super.beginTest(name);
                    synchronized (this) {
                        if (anchoredCounter >= 0 && current().counterValue() != anchoredCounter) {
                            device().update(this::edit); // re-anchored to the right time: ahead again
                        }
                    }
                }
            });
        }
    }

    /**
     * With the reference clock: TIME_MONOTONIC advertised, yet each live migration and each savevm steps the
     * time back by 100 s (more than a live migration takes under TCG, so a later reading still shows it).
     */
    public static final class MonotonicTimeStepsBack extends Named {
        static final long STEP_BACK_SEC = 100;

        public MonotonicTimeStepsBack() {
            super("monotonic-time-steps-back", target -> new AfterEvent(target) {
                private boolean advertised;

                @Override
                public synchronized GuestAgent guest() {
                    GuestAgent g = delegate.guest();
                    if (!advertised) {
                        advertised = true;
                        device().update(p -> PageField.FLAGS.write(p, PageField.FLAGS.read(p) | Flag.TIME_MONOTONIC.mask()));
                    }
                    return g;
                }

                @Override
                void after(Event event, VmclockPage before) {
                    if (event == Event.LIVE_MIGRATION || event == Event.SNAPSHOT_SAVE) {
                        device().update(p -> PageField.TIME_SEC.write(p, PageField.TIME_SEC.read(p) - STEP_BACK_SEC));
                    }
                }
            });
        }
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

    /**
     * The writer never makes seq_count odd: it changes the fields under the old even value and then moves
     * it on by two, so a reader cannot tell a copy taken mid-update from a whole one.
     */
    public static final class FieldsBeforeSeqCount extends Named {
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
    public static final class SlowOddWindow extends Named {
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
