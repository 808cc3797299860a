package dev.vmclock.conformance.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.vm.TargetDecorator;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Every run-time fault the self-test names is registered, once, under its id (vmclock.fault finds it). */
class RuntimeFaultsTest {

    @Test
    void everyFaultIsRegisteredUnderItsOwnId() {
        assertThat(ServiceLoader.load(TargetDecorator.class).stream().map(p -> p.get().id()))
                .containsExactlyInAnyOrder("field-without-seq-count", "seq-count-left-odd",
                        "constant-rewritten-after-event", "marker-rolled-back-after-restore",
                        "seq-count-kept-across-update", "marker-on-wrong-events", "generation-on-every-event",
                        "marker-alternates", "generation-alternates", "generation-at-v1.0-offset",
                        "marker-at-wrong-offset", "constant-changed-while-running", "seq-count-decreases",
                        "generation-changed-by-reset", "error-fields-out-of-range", "leap-indicator-wrong",
                        "time-stepped-out-of-bounds", "freerunning-two-minutes-ahead", "monotonic-time-steps-back",
                        "fields-before-seq-count", "slow-odd-window");
    }
}
