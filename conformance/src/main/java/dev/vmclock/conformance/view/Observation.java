package dev.vmclock.conformance.view;

import dev.vmclock.conformance.vm.Capability;

import dev.vmclock.conformance.vm.Event;

import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.util.List;

/**
 * The page right before and right after one event, as the view's {@link PageSource} saw it (from the host, or in the
 * guest). A page the source did not see (a target with neither view: {@link Capability#HOST_MEMORY}; a guest that
 * could not read it at that moment) is not there: asking for it rethrows why (NOT_APPLICABLE naming what is missing,
 * or the guest's refusal, an ERROR).
 */
public record Observation(Event event, PageSource.Sighting seenBefore, PageSource.Sighting seenAfter,
                          List<EventResult> steps) {

    /** Why a step of the history has no pages. */
    static final String NO_HOST_PAGES = "the target cannot " + Capability.HOST_MEMORY.description() + " (capability "
            + Capability.HOST_MEMORY + "): the run's history has no host pages";

    /** Both pages seen. */
    Observation(Event event, VmclockPage before, VmclockPage after, List<EventResult> steps) {
        this(event, PageSource.Sighting.of(before), PageSource.Sighting.of(after), steps);
    }

    public VmclockPage before() {
        return seenBefore.get();
    }

    public VmclockPage after() {
        return seenAfter.get();
    }

    /** Whether both pages were seen (the evidence records only those). */
    boolean seen() {
        return seenBefore.seen() && seenAfter.seen();
    }

    public List<PageField> changedFields() {
        return before().changedFields(after());
    }

    public boolean changed(PageField field) {
        return field.read(before().raw()) != field.read(after().raw());
    }
}
