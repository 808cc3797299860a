package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.page.CounterId;
import org.junit.jupiter.api.Test;

/** counter_id (0x0a): which hardware counter the clock data refers to (UAPI.13, VIRTIO_RTC_COUNTER_xxx). */
@VmclockConformance
class CounterIdentityTest {

    @Test
    @Clause("VMC-COUNTER-01")
    void counterIdIsDefinedValue(VmclockView vmclock) {
        CounterId id = vmclock.bootPage().counterId();
        assertThat(id.isDefined()).as("counter_id %s is one of ARM_VCNT, X86_TSC, INVALID", id.label()).isTrue();
    }

    @Test
    @Clause("VMC-COUNTER-02")
    void counterIdMatchesGuestArchitecture(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        // The suite's targets are x86 machines (qemu-system-aarch64 has no vmclock device).
        assertThat(vmclock.bootPage().counterId()).as("counter_id on an x86 guest").isEqualTo(CounterId.X86_TSC);
    }
}
