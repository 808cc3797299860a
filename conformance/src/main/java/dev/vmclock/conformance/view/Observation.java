package dev.vmclock.conformance.view;

import dev.vmclock.conformance.vm.Event;

import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.util.List;

/** The host's view of the page right before and right after one event. */
public record Observation(Event event, VmclockPage before, VmclockPage after, List<EventResult> steps) {

    public List<PageField> changedFields() {
        return before.changedFields(after);
    }

    public boolean changed(PageField field) {
        return field.read(before.raw()) != field.read(after.raw());
    }
}
