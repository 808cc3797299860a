package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.view.VmclockView;
import org.junit.jupiter.api.Test;

/** leap_second_smearing_hint (0x23): STRICT, NOON_LINEAR or UTC_SLS (UAPI.13 §Leap Second Smearing Hint). */
@VmclockConformance
class SmearingHintTest {

    @Test
    @Clause("VMC-SMEAR-01")
    void smearingHintIsDefinedValue(VmclockView vmclock) {
        assertThat(vmclock.bootPage().leapSecondSmearingHint().isDefined())
                .as("leap_second_smearing_hint %s", vmclock.bootPage().leapSecondSmearingHint()).isTrue();
    }
}
