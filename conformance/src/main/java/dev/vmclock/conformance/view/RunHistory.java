package dev.vmclock.conformance.view;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.vm.SavedState;

import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.events.HopRefusedException;
import dev.vmclock.harness.page.VmclockPage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The run's one chain of lifecycle events, driven once (by the first check that needs any of them) and
 * judged by every check that compares the device before and after an event, or over its lifetime:
 *
 * <ol>
 *   <li>savevm (a snapshot of "the start of the history"), then loadvm of it: SNAPSHOT_SAVE and SNAPSHOT_LOAD;</li>
 *   <li>pause and resume; live migration; save to a file and restore from it;</li>
 *   <li>loadvm of the snapshot of step 1 again: the guest goes back to an older point of its timeline (a branch).</li>
 * </ol>
 *
 * <p>Each kind of step needs a capability of the target; a step the target lacks is not offered (checks judged on it
 * are NOT_APPLICABLE naming the capability) and the chain goes on with the steps it can do. Pages (through the VMClock
 * view's {@link PageSource}: from the host when the target has {@link Capability#HOST_MEMORY}, else in the guest) and
 * guest probes are taken right before and right after each event (with
 * the guest's virtio-rtc clocks around snapshot load, live migration and file restore, when the machine has the
 * device). Clones restored from the saved file beside the target are started only when a check asks. Because every
 * kind of event the suite drives is in the chain, and lifetime rules are judged against the boot page and every page
 * of the chain, no verdict depends on which check happened to run first. The chain belongs to the target
 * ({@link TargetHistory}); device views only observe its steps.
 */
public final class RunHistory {

    /** The kinds of step of the chain, in their order, each with the capability it needs. */
    public enum Kind {
        SNAPSHOT_SAVE(Event.SNAPSHOT_SAVE, Capability.SNAPSHOT),
        SNAPSHOT_LOAD(Event.SNAPSHOT_LOAD, Capability.SNAPSHOT),
        PAUSE_RESUME(Event.PAUSE_RESUME, Capability.PAUSE_RESUME),
        LIVE_MIGRATION(Event.LIVE_MIGRATION, Capability.LIVE_MIGRATION),
        FILE_RESTORE(Event.FILE_RESTORE, Capability.FILE_RESTORE),
        /** loadvm of the snapshot of step 1, after the later steps: a branch back to an older point. */
        OLDER_SNAPSHOT_LOAD(Event.SNAPSHOT_LOAD, Capability.SNAPSHOT);

        private final Event event;
        private final Capability needs;

        Kind(Event event, Capability needs) {
            this.event = event;
            this.needs = needs;
        }

        public Event event() {
            return event;
        }

        /** What the target must be able to do for this step to be in the chain. */
        public Capability needs() {
            return needs;
        }
    }

    /**
     * One step: the pages and the guest's probes right before and right after it. A page the source did not see (no
     * view of the page at all, or a guest that could not read it then) is absent, and asking for it rethrows why.
     */
    public record Step(Kind kind, Observation observation, GuestProbe guestBefore, GuestProbe guestAfter) {
        public VmclockPage before() {
            return observation.before();
        }

        public VmclockPage after() {
            return observation.after();
        }
    }

    /** A page the guest was presented at one point of one timeline. */
    public record Presented(String when, VmclockPage page) {
    }

    /** The pages of two restores of one saved state: the target's own, and a clone started beside it. */
    public record Clones(VmclockPage beforeSave, VmclockPage restoredInPlace, VmclockPage restoredBeside) {
    }

    /** Tag of the snapshot taken at the start of the history (loaded twice). */
    static final String SNAPSHOT_TAG = "history";

    /**
     * How the history sees the VMClock page: through the VMClock view's {@link PageSource} (from the host, or in the
     * guest), each page seen or why not.
     */
    interface Pages {
        /** Where the pages are read, for the history's record. */
        String where();

        /** The page at boot (read once, before any event). */
        PageSource.Sighting boot();

        /** The page now: consistent if possible (the host: else its raw copy), or why it was not seen. */
        PageSource.Sighting now();

        /** seq_count as the host reads it now; -1 when the host cannot read it. */
        long seqCountNow();

        Pages NONE = new Pages() {
            @Override
            public String where() {
                return "no page source";
            }

            @Override
            public PageSource.Sighting boot() {
                return PageSource.Sighting.unseen(NotApplicable.because(Observation.NO_HOST_PAGES));
            }

            @Override
            public PageSource.Sighting now() {
                return boot();
            }

            @Override
            public long seqCountNow() {
                return -1;
            }
        };
    }

    private final PageSource.Sighting bootPage;
    private final String where;
    private final Map<Kind, Step> steps = new EnumMap<>(Kind.class);
    private final Map<Kind, HopRefusedException> refused = new EnumMap<>(Kind.class);
    /** The steps the target does not offer, each with why (the target's {@link VmTarget#lacks} of its capability). */
    private final Map<Kind, String> notOffered;
    private final SavedState savedState;
    private List<List<Presented>> timelines;

    private RunHistory(PageSource.Sighting bootPage, String where, Map<Kind, Step> steps,
            Map<Kind, HopRefusedException> refused, Map<Kind, String> notOffered, SavedState savedState) {
        this.bootPage = bootPage;
        this.where = where;
        this.steps.putAll(steps);
        this.refused.putAll(refused);
        this.notOffered = notOffered.isEmpty() ? Map.of() : new EnumMap<>(notOffered);
        this.savedState = savedState;
    }

    /**
     * Drives the chain on {@code target} now, with the steps its capabilities offer. A step QEMU refuses across a
     * cross-version hop is kept as that refusal (the checks that judge it are ERRORs quoting QEMU) and the chain goes
     * on from the source.
     */
    static RunHistory drive(VmTarget target, Pages pages, VirtioRtcGuestView rtc) {
        PageSource.Sighting bootPage = pages.boot();
        boolean migrationPhase = target.guest().clocks().tsc().size() >= 2;
        Probes probes = new Probes(target, pages, rtc);
        Map<Kind, Step> steps = new EnumMap<>(Kind.class);
        Map<Kind, HopRefusedException> refused = new EnumMap<>(Kind.class);
        Map<Kind, String> notOffered = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            if (!target.has(k.needs())) {
                notOffered.put(k, target.lacks(k.needs()));
            }
        }

        if (!notOffered.containsKey(Kind.SNAPSHOT_SAVE)) {
            target.prepareFor(Event.SNAPSHOT_SAVE);
            GuestProbe g0 = probes.take(1, true);
            PageSource.Sighting p0 = pages.now();
            EventResult save = target.saveSnapshot(SNAPSHOT_TAG);
            PageSource.Sighting p1 = pages.now();
            steps.put(Kind.SNAPSHOT_SAVE, new Step(Kind.SNAPSHOT_SAVE,
                    new Observation(Event.SNAPSHOT_SAVE, p0, p1, List.of(save)), g0, null));
            try {
                EventResult load = target.loadSnapshot(SNAPSHOT_TAG);
                PageSource.Sighting p2 = pages.now();
                GuestProbe g2 = probes.take(1, true);
                steps.put(Kind.SNAPSHOT_LOAD, new Step(Kind.SNAPSHOT_LOAD,
                        new Observation(Event.SNAPSHOT_LOAD, p0, p2, List.of(save, load)), g0, g2));
            } catch (HopRefusedException e) {
                refused.put(Kind.SNAPSHOT_LOAD, e);
            }
        }

        if (!notOffered.containsKey(Kind.PAUSE_RESUME)) {
            steps.put(Kind.PAUSE_RESUME, inPlace(target, pages, probes, Kind.PAUSE_RESUME, probes.take(1, false), 1));
        }
        if (!notOffered.containsKey(Kind.LIVE_MIGRATION)) {
            // The TSC phase between vCPUs is judged across live migration: several samples on each side.
            int samples = migrationPhase ? PHASE_SAMPLES : 1;
            try {
                target.prepareFor(Event.LIVE_MIGRATION);
                GuestProbe beforeMigration = probes.take(samples, true);
                steps.put(Kind.LIVE_MIGRATION,
                        inPlace(target, pages, probes, Kind.LIVE_MIGRATION, beforeMigration, samples));
            } catch (HopRefusedException e) {
                refused.put(Kind.LIVE_MIGRATION, e);
            }
        }

        SavedState state = null;
        if (!notOffered.containsKey(Kind.FILE_RESTORE)) {
            try {
                target.prepareFor(Event.FILE_RESTORE);
                GuestProbe g4 = probes.take(1, true);
                PageSource.Sighting p4 = pages.now();
                state = target.saveState();
                EventResult restore = target.restore(state);
                PageSource.Sighting p5 = pages.now();
                GuestProbe g5 = probes.take(1, true);
                steps.put(Kind.FILE_RESTORE, new Step(Kind.FILE_RESTORE,
                        new Observation(Event.FILE_RESTORE, p4, p5, List.of(state.save(), restore)), g4, g5));
            } catch (HopRefusedException e) {
                refused.put(Kind.FILE_RESTORE, e);
            }
        }

        if (!notOffered.containsKey(Kind.OLDER_SNAPSHOT_LOAD)) {
            try {
                target.prepareFor(Event.SNAPSHOT_LOAD);
                PageSource.Sighting before = pages.now();
                GuestProbe gBefore = probes.take(1, false);
                EventResult older = target.loadSnapshot(SNAPSHOT_TAG);
                PageSource.Sighting p6 = pages.now();
                GuestProbe g6 = probes.take(1, false);
                steps.put(Kind.OLDER_SNAPSHOT_LOAD, new Step(Kind.OLDER_SNAPSHOT_LOAD,
                        new Observation(Event.SNAPSHOT_LOAD, before, p6, List.of(older)), gBefore, g6));
            } catch (HopRefusedException e) {
                refused.put(Kind.OLDER_SNAPSHOT_LOAD, e);
            }
        }
        return new RunHistory(bootPage, pages.where(), steps, refused, notOffered, state);
    }

    /** The guest probe of each moment, with the host's seq_count and the virtio-rtc clocks beside it. */
    private record Probes(VmTarget target, Pages pages, VirtioRtcGuestView rtc) {
        GuestProbe take(int clockSamples, boolean withVirtioRtc) {
            return GuestProbe.take(target, pages::seqCountNow, withVirtioRtc ? rtc : null, clockSamples);
        }
    }

    /** Samples of the vCPUs' TSCs on each side of the migration (the median resists one descheduled sample). */
    public static final int PHASE_SAMPLES = 7;

    private static Step inPlace(VmTarget target, Pages pages, Probes probes, Kind kind, GuestProbe before,
                                int samples) {
        PageSource.Sighting b = pages.now(); // the caller readied the machine before its probe
        List<EventResult> results = target.undergo(kind.event());
        PageSource.Sighting a = pages.now();
        GuestProbe after = probes.take(samples, kind == Kind.LIVE_MIGRATION);
        return new Step(kind, new Observation(kind.event(), b, a, results), before, after);
    }

    /** The page at boot; when the view's source did not see it, why (NOT_APPLICABLE naming what is missing, or an ERROR). */
    public VmclockPage bootPage() {
        return bootPage.get();
    }

    /**
     * The step of {@code kind}: NOT_APPLICABLE naming the capability when the target does not offer it; an ERROR
     * quoting QEMU when QEMU refused it across a cross-version hop.
     */
    public Step step(Kind kind) {
        if (notOffered.containsKey(kind)) {
            throw NotApplicable.because(notOffered.get(kind) + ": the run's history has no " + kind + " step");
        }
        HopRefusedException e = refused.get(kind);
        if (e != null) {
            throw e;
        }
        return steps.get(kind);
    }

    /** The kinds of step the target could not offer. */
    public Set<Kind> notOffered() {
        return notOffered.keySet();
    }

    /**
     * The guest's probe that comes before {@code step} on the guest's own timeline: the probe before the step,
     * except for the older snapshot load, whose guest resumes from the moment of the first savevm and so from
     * the probe taken before it (a later probe's counters and clocks would be ahead of what the load restores).
     */
    public GuestProbe guestBeforeOnItsTimeline(Step step) {
        return step.kind() == Kind.OLDER_SNAPSHOT_LOAD ? steps.get(Kind.SNAPSHOT_SAVE).guestBefore() : step.guestBefore();
    }

    /** The steps that happened (a step not offered or refused is not among them; {@link #step} names why). */
    public List<Step> steps() {
        return List.copyOf(steps.values());
    }

    /** The saved state of the FILE_RESTORE step, from which clones are started beside the target. */
    SavedState savedState() {
        step(Kind.FILE_RESTORE);
        return savedState;
    }

    /**
     * The guest's timelines through the history, each from the boot page: the main one (the page when the
     * history began, then after loadvm, pause/resume, live migration and the restore); the one savevm left
     * behind when loadvm went back to it; and the branch of the older snapshot loaded at the end. Only the steps
     * that happened are on them.
     */
    public synchronized List<List<Presented>> timelinesOfPages() {
        if (timelines == null) {
            timelines = timelines();
        }
        return timelines;
    }

    /** Every page of the chain, from the boot page on: a page the source did not see stops it with why. */
    private List<List<Presented>> timelines() {
        bootPage.get();
        steps.values().forEach(s -> {
            s.before();
            s.after();
        });
        Presented boot = new Presented("at boot", bootPage.get());
        List<Presented> main = new ArrayList<>(List.of(boot));
        List<List<Presented>> all = new ArrayList<>();
        if (steps.isEmpty()) {
            all.add(List.copyOf(main));
            return List.copyOf(all);
        }
        Step first = steps.values().iterator().next();
        Presented start = new Presented(first.kind() == Kind.SNAPSHOT_SAVE
                ? "when the history began (savevm " + SNAPSHOT_TAG + ")"
                : "when the history began (before " + first.kind() + ")", first.before());
        main.add(start);
        for (Kind k : List.of(Kind.SNAPSHOT_LOAD, Kind.PAUSE_RESUME, Kind.LIVE_MIGRATION, Kind.FILE_RESTORE)) {
            if (steps.containsKey(k)) {
                main.add(new Presented("after " + k, steps.get(k).after()));
            }
        }
        all.add(List.copyOf(main));
        if (steps.containsKey(Kind.SNAPSHOT_SAVE)) {
            all.add(List.of(boot, start, new Presented("after savevm, until loadvm went back",
                    steps.get(Kind.SNAPSHOT_SAVE).after())));
        }
        if (steps.containsKey(Kind.OLDER_SNAPSHOT_LOAD)) {
            all.add(List.of(boot, start, new Presented("after loading snapshot " + SNAPSHOT_TAG + " again ("
                    + Kind.OLDER_SNAPSHOT_LOAD + ")", steps.get(Kind.OLDER_SNAPSHOT_LOAD).after())));
        }
        return List.copyOf(all);
    }

    /** The first value of {@code field} presented again on one timeline after another value was presented. */
    public Optional<String> firstRepeat(String field, ToLongFunction<VmclockPage> value) {
        for (List<Presented> timeline : timelinesOfPages()) {
            List<Presented> changes = new ArrayList<>();
            for (Presented p : timeline) {
                if (changes.isEmpty()
                        || value.applyAsLong(changes.get(changes.size() - 1).page()) != value.applyAsLong(p.page())) {
                    changes.add(p);
                }
            }
            for (int j = 1; j < changes.size(); j++) {
                for (int i = 0; i < j; i++) {
                    long v = value.applyAsLong(changes.get(j).page());
                    if (value.applyAsLong(changes.get(i).page()) == v) {
                        return Optional.of(field + " " + Long.toUnsignedString(v) + " " + changes.get(j).when()
                                + " was already presented " + changes.get(i).when());
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** One line per timeline with the values {@code field} took on it. */
    public String describe(String field, ToLongFunction<VmclockPage> value) {
        StringBuilder b = new StringBuilder();
        for (List<Presented> timeline : timelinesOfPages()) {
            b.append(field).append(" along one timeline:");
            timeline.forEach(p -> b.append(' ').append(Long.toUnsignedString(value.applyAsLong(p.page())))
                    .append(" (").append(p.when()).append(')'));
            b.append('\n');
        }
        return b.toString();
    }

    /** The chain in brief: per step, what it took and the marker, seq_count and generation counter it left. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("the run's history (pages " + where + ")\n");
        b.append(bootPage.seen() ? "boot page: marker " + Long.toUnsignedString(bootPage.page().disruptionMarker())
                + ", seq_count " + bootPage.page().seqCount() : "boot page not seen: " + bootPage.unseen().getMessage())
                .append('\n');
        for (Step s : steps.values()) {
            long ms = s.observation().steps().stream().mapToLong(r -> r.elapsed().toMillis()).sum();
            if (!s.observation().seen()) {
                b.append(String.format("%-20s %6d ms  pages not seen%n", s.kind(), ms));
                continue;
            }
            b.append(String.format("%-20s %6d ms  marker %s -> %s  seq_count %d -> %d  generation %d -> %d%n",
                    s.kind(), ms,
                    Long.toUnsignedString(s.before().disruptionMarker()), Long.toUnsignedString(s.after().disruptionMarker()),
                    s.before().seqCount(), s.after().seqCount(), s.before().vmGenerationCounter(),
                    s.after().vmGenerationCounter()));
        }
        refused.forEach((k, e) -> b.append(String.format("%-20s refused by QEMU: %s%n", k, e.getMessage())));
        notOffered.forEach((k, why) -> b.append(String.format("%-20s not offered: %s%n", k, why)));
        return b.toString();
    }
}
