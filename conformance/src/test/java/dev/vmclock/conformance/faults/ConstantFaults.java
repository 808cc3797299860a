package dev.vmclock.conformance.faults;

import dev.vmclock.conformance.faults.RuntimeFault.AfterEvent;
import dev.vmclock.conformance.faults.RuntimeFault.PageFault;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.util.Map;

/** Faults in the page's constant fields: rewritten after events or changed while the VM runs. */
final class ConstantFaults {

    private ConstantFaults() {
    }

    /** After every lifecycle event, a constant field (counter_id) is rewritten (its low bit toggled). */
    public static final class ConstantRewrittenAfterEvent extends RuntimeFault {
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

    /**
     * A constant field changes while the VM runs, with no event: every host copy of the page flips time_type
     * between UTC and TAI (a constant has no seq_count protocol, so the write does not touch seq_count).
     */
    public static final class ConstantChangedWhileRunning extends RuntimeFault {
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
}
