package dev.vmclock.conformance.view;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.vm.Capability;

import dev.vmclock.conformance.vm.Event;

import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.util.List;

/**
 * The host's view of the page right before and right after one event. A target without the host's view
 * ({@link Capability#HOST_MEMORY}) has no pages: asking for them is NOT_APPLICABLE naming it.
 */
public record Observation(Event event, VmclockPage before, VmclockPage after, List<EventResult> steps) {

    /** Why a step of the history has no pages. */
    static final String NO_HOST_PAGES = "the target cannot " + Capability.HOST_MEMORY.description() + " (capability "
            + Capability.HOST_MEMORY + "): the run's history has no host pages";

    @Override
    public VmclockPage before() {
        return seen(before);
    }

    @Override
    public VmclockPage after() {
        return seen(after);
    }

    private static VmclockPage seen(VmclockPage page) {
        if (page == null) {
            throw NotApplicable.because(NO_HOST_PAGES);
        }
        return page;
    }

    public List<PageField> changedFields() {
        return before().changedFields(after());
    }

    public boolean changed(PageField field) {
        return field.read(before().raw()) != field.read(after().raw());
    }
}
