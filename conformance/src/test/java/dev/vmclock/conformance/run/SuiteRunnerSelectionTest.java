package dev.vmclock.conformance.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which checks a selection picks, and whether it needs the booted guest (pure logic, no QEMU). */
class SuiteRunnerSelectionTest {

    @Test
    void idSpecAreaAndSpecWithAreaPickAClause() {
        assertThat(SuiteRunner.selects(Set.of("VMC-SEQ-03"), "VMC-SEQ-03")).isTrue();
        assertThat(SuiteRunner.selects(Set.of("VMC"), "VMC-SEQ-03")).isTrue();
        assertThat(SuiteRunner.selects(Set.of("SEQ"), "VMC-SEQ-03")).isTrue();
        assertThat(SuiteRunner.selects(Set.of("VMC-SEQ"), "VMC-SEQ-03")).isTrue();
        assertThat(SuiteRunner.selects(Set.of("VRTC-SEQ"), "VMC-SEQ-03")).isFalse();
        assertThat(SuiteRunner.selects(Set.of("VMC-SEQ-04"), "VMC-SEQ-03")).isFalse();
    }

    @Test
    void theGuestBootsEarlyUnlessOnlyDeviceLevelVirtioRtcChecksAreSelected() {
        assertThat(SuiteRunner.needsGuest(Set.of())).as("everything").isTrue();
        assertThat(SuiteRunner.needsGuest(Set.of("VMC-LAYOUT-01"))).isTrue();
        assertThat(SuiteRunner.needsGuest(Set.of("SEQ"))).isTrue();
        assertThat(SuiteRunner.needsGuest(Set.of("VRTC-GUEST-03"))).isTrue();
        assertThat(SuiteRunner.needsGuest(Set.of("VRTC-READ", "VRTC-ALARM-07"))).isFalse();
        assertThat(SuiteRunner.needsGuest(Set.of("VRTC"))).as("all of virtio-rtc, its guest checks too").isTrue();
    }
}
