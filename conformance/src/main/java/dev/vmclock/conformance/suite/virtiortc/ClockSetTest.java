package dev.vmclock.conformance.suite.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.VirtioRtcConformance;
import dev.vmclock.conformance.view.VirtioRtcView;
import dev.vmclock.harness.virtio.rtc.ClockType;
import dev.vmclock.harness.virtio.rtc.HwCounter;
import dev.vmclock.harness.virtio.rtc.RtcRequest;
import dev.vmclock.harness.virtio.rtc.SmearingVariant;
import dev.vmclock.harness.virtio.rtc.Status;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** virtio-rtc §Device Operation and §Control Requests: the set of clocks and what CLOCK_CAP says of each. */
@VirtioRtcConformance
class ClockSetTest {

    /** CFG, every CLOCK_CAP and CROSS_CAP for both defined counters, as raw response bytes. */
    private static List<String> controlAnswers(VirtioRtcView rtc) {
        List<String> out = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        out.add("CFG " + hex.formatHex(rtc.request(new RtcRequest.Cfg()).bytes()));
        int n = rtc.numClocks();
        for (int id = 0; id < n; id++) {
            out.add("CLOCK_CAP " + id + " " + hex.formatHex(rtc.request(new RtcRequest.ClockCap(id)).bytes()));
            for (HwCounter h : List.of(HwCounter.ARM_VCT, HwCounter.X86_TSC)) {
                out.add("CROSS_CAP " + id + "/" + h + " " + hex.formatHex(rtc.request(new RtcRequest.CrossCap(id, h.code()))
                        .bytes()));
            }
        }
        return out;
    }

    @Test
    @Clause("VRTC-OP-16")
    void controlAnswersRepeatWhileLive(VirtioRtcView rtc) {
        List<String> first = controlAnswers(rtc);
        for (int round = 0; round < 3; round++) {
            assertThat(controlAnswers(rtc)).as("control answers, round %d", round + 2).isEqualTo(first);
        }
    }

    @Test
    @Clause("VRTC-OP-17")
    void controlAnswersRepeatAcrossReset(VirtioRtcView rtc) {
        List<String> before = controlAnswers(rtc);
        rtc.renegotiate(true, 4);
        assertThat(controlAnswers(rtc)).as("control answers after a reset with the same features").isEqualTo(before);
    }

    @Test
    @Clause("VRTC-OP-18")
    void everyIdBelowNumClocksIdentifiesAClock(VirtioRtcView rtc) {
        for (VirtioRtcView.Clock c : rtc.clocks()) {
            assertThat(c.capability().status()).as("CLOCK_CAP of clock %d: %s", c.id(), c.capability())
                    .isEqualTo(Status.OK.code());
        }
    }

    @Test
    @Clause("VRTC-CTRL-01")
    void clockTypesAreDefined(VirtioRtcView rtc) {
        for (VirtioRtcView.Clock c : rtc.describedClocks()) {
            assertThat(c.clockType().isPresent() || ClockType.isExperimental(c.type()))
                    .as("clock %d type %s", c.id(), ClockType.describe(c.type())).isTrue();
        }
    }

    @Test
    @Clause("VRTC-CTRL-02")
    void smearingUnspecifiedUnlessUtcSmeared(VirtioRtcView rtc) {
        for (VirtioRtcView.Clock c : rtc.describedClocks()) {
            if (c.type() != ClockType.UTC_SMEARED.code()) {
                assertThat(c.leapSecondSmearing()).as("leap_second_smearing of clock %d (%s)", c.id(),
                        ClockType.describe(c.type())).isEqualTo(SmearingVariant.UNSPECIFIED.code());
            }
        }
    }

    @Test
    @Clause("VRTC-CTRL-03")
    void smearedClockNamesAVariant(VirtioRtcView rtc) {
        for (VirtioRtcView.Clock c : rtc.clocksOfType(ClockType.UTC_SMEARED)) {
            assertThat(SmearingVariant.of(c.leapSecondSmearing()).isPresent()
                    || c.leapSecondSmearing() >= SmearingVariant.FIRST_EXPERIMENTAL)
                    .as("leap_second_smearing %d of UTC_SMEARED clock %d", c.leapSecondSmearing(), c.id()).isTrue();
        }
    }
}
