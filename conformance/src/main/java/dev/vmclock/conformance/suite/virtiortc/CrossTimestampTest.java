package dev.vmclock.conformance.suite.virtiortc;

import static dev.vmclock.conformance.suite.virtiortc.StatusTest.answered;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VirtioRtcConformance;
import dev.vmclock.conformance.view.VirtioRtcView;
import dev.vmclock.harness.virtio.rtc.HwCounter;
import dev.vmclock.harness.virtio.rtc.RawRequest;
import dev.vmclock.harness.virtio.rtc.RtcRequest;
import dev.vmclock.harness.virtio.rtc.RtcResponse;
import dev.vmclock.harness.virtio.rtc.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** virtio-rtc §Control Requests (CROSS_CAP) and §Read Requests (READ_CROSS). */
@VirtioRtcConformance
class CrossTimestampTest {

    private record Pair(int clock, HwCounter counter) {
    }

    /** Pairs of clock and counter for which READ_CROSS answers OK; NOT_APPLICABLE when there are none. */
    private static List<Pair> crossReadable(VirtioRtcView rtc) {
        List<Pair> out = new ArrayList<>();
        for (VirtioRtcView.Clock c : rtc.clocks()) {
            for (HwCounter h : List.of(HwCounter.ARM_VCT, HwCounter.X86_TSC)) {
                if (rtc.request(new RtcRequest.ReadCross(c.id(), h.code())).ok()) {
                    out.add(new Pair(c.id(), h));
                }
            }
        }
        NotApplicable.unless(!out.isEmpty(), "VIRTIO_RTC_REQ_READ_CROSS answers OK for no clock and hardware counter");
        return out;
    }

    @Test
    @Clause("VRTC-CTRL-04")
    void crossCapFlagMatchesReadCross(VirtioRtcView rtc) {
        for (VirtioRtcView.Clock c : rtc.clocks()) {
            for (HwCounter h : List.of(HwCounter.ARM_VCT, HwCounter.X86_TSC)) {
                RtcResponse cap = rtc.request(new RtcRequest.CrossCap(c.id(), h.code()));
                RtcResponse read = rtc.request(new RtcRequest.ReadCross(c.id(), h.code()));
                boolean flag = cap.ok() && (cap.flags() & 1) != 0;
                assertThat(flag).as("clock %d %s: CROSS_CAP %s vs READ_CROSS %s", c.id(), h, cap, read)
                        .isEqualTo(read.ok());
            }
        }
    }

    @Test
    @Clause("VRTC-READ-10")
    void counterTheDriverCannotHaveIsNotOk(VirtioRtcView rtc) {
        // The suite's machine is x86: no CPU of its driver has an Arm CNTVCT_EL0 to read.
        for (VirtioRtcView.Clock c : rtc.clocks()) {
            RtcResponse r = answered(rtc, RawRequest.of(new RtcRequest.ReadCross(c.id(), HwCounter.ARM_VCT.code())));
            assertThat(r.status()).as("READ_CROSS clock %d ARM_VCT on an x86 machine: %s", c.id(), r)
                    .isNotEqualTo(Status.OK.code());
        }
    }

    @Test
    @Clause("VRTC-READ-11")
    void counterCyclesNeverGoBack(VirtioRtcView rtc) {
        for (Pair p : crossReadable(rtc)) {
            long previous = 0;
            for (int i = 0; i < 20; i++) {
                long cycles = rtc.request(new RtcRequest.ReadCross(p.clock(), p.counter().code())).counterCycles();
                assertThat(Long.compareUnsigned(cycles, previous) >= 0).as("%s: counter_cycles %d after %d", p, cycles,
                        previous).isTrue();
                previous = cycles;
            }
        }
    }

    @Test
    @Clause("VRTC-READ-12")
    void crossReadingIsInNanoseconds(VirtioRtcView rtc) {
        for (Pair p : crossReadable(rtc)) {
            long read = rtc.reading(p.clock());
            long cross = rtc.request(new RtcRequest.ReadCross(p.clock(), p.counter().code())).clockReading();
            long read2 = rtc.reading(p.clock());
            assertThat(cross).as("%s: READ_CROSS reading between two READs (ns)", p).isBetween(read, read2);
        }
    }
}
