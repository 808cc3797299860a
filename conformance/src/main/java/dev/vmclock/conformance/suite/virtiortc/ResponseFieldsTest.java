package dev.vmclock.conformance.suite.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.VirtioRtcConformance;
import dev.vmclock.conformance.view.VirtioRtcView;
import dev.vmclock.harness.virtio.rtc.Exchange;
import dev.vmclock.harness.virtio.rtc.HwCounter;
import dev.vmclock.harness.virtio.rtc.MsgType;
import dev.vmclock.harness.virtio.rtc.RawRequest;
import dev.vmclock.harness.virtio.rtc.RtcRequest;
import dev.vmclock.harness.virtio.rtc.RtcResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** virtio-rtc §Device Operation and virtio §2.7: what the device writes, where, and what it reports as written. */
@VirtioRtcConformance
class ResponseFieldsTest {

    private static List<RawRequest> okRequests(VirtioRtcView rtc) {
        List<RawRequest> out = new ArrayList<>(List.of(RawRequest.of(new RtcRequest.Cfg())));
        for (VirtioRtcView.Clock c : rtc.clocks()) {
            out.add(RawRequest.of(new RtcRequest.ClockCap(c.id())));
            out.add(RawRequest.of(new RtcRequest.CrossCap(c.id(), HwCounter.X86_TSC.code())));
            out.add(RawRequest.of(new RtcRequest.CrossCap(c.id(), HwCounter.ARM_VCT.code())));
            out.add(RawRequest.of(new RtcRequest.Read(c.id())));
        }
        return out;
    }

    @Test
    @Clause("VRTC-OP-14")
    void reservedResponseFieldsAreZero(VirtioRtcView rtc) {
        for (Exchange e : rtc.exchangeAll(okRequests(rtc))) {
            RtcResponse r = e.response();
            if (!e.wasUsed() || !r.ok()) {
                continue; // reserved bytes of an error answer are judged only in the header
            }
            for (int off : r.reservedOffsets()) {
                assertThat(r.bytes()[off]).as("reserved byte %d of the %s response (buffer filled with 0xaa):%n%s", off,
                        r.type(), e.describe()).isZero();
            }
        }
    }

    @Test
    @Clause("VRTC-OP-15")
    void noFlagBitBeyondTheNegotiatedFeatures(VirtioRtcView rtc) {
        rtc.renegotiate(false, 0);
        for (VirtioRtcView.Clock c : rtc.describedClocks()) {
            assertThat(c.flags()).as("CLOCK_CAP flags of clock %d without VIRTIO_RTC_F_ALARM: %s", c.id(), c.capability())
                    .isZero();
            for (HwCounter h : List.of(HwCounter.X86_TSC, HwCounter.ARM_VCT)) {
                RtcResponse cross = rtc.request(new RtcRequest.CrossCap(c.id(), h.code()));
                if (cross.ok()) {
                    assertThat(cross.flags() & ~1).as("CROSS_CAP flags beyond VIRTIO_RTC_FLAG_CROSS_CAP: %s", cross).isZero();
                }
            }
        }
    }

    @Test
    @Clause("VRTC-VIRTIO-04")
    void usedLengthIsTheResponseWritten(VirtioRtcView rtc) {
        for (Exchange e : rtc.exchangeAll(okRequests(rtc))) {
            if (!e.wasUsed() || !e.response().ok()) {
                continue;
            }
            MsgType t = e.request().decodeAs().orElseThrow();
            assertThat(e.usedLength()).as("used length of an OK %s response:%n%s", t, e.describe())
                    .isEqualTo(t.responseSize());
        }
    }

    @Test
    @Clause("VRTC-VIRTIO-05")
    void deviceReadableBuffersAreNotWritten(VirtioRtcView rtc) {
        List<RawRequest> rs = new ArrayList<>(okRequests(rtc));
        rs.add(RawRequest.of(new RtcRequest.Read(0)).splitRequestAt(1, 7, 8));
        rs.add(RawRequest.bytes(new byte[] {0x42, 0x42, 0, 0, 0, 0, 0, 0}, 16, MsgType.REQ_CFG));
        for (Exchange e : rtc.exchangeAll(rs)) {
            assertThat(e.readableBuffersUntouched()).as("device-readable buffers as the driver wrote them:%n%s",
                    e.describe()).isTrue();
        }
    }

    @Test
    @Clause("VRTC-VIRTIO-06")
    void chainsSplitAtOddPlacesAnswerAsWhole(VirtioRtcView rtc) {
        int clock = rtc.anyClock().id();
        List<Exchange> ex = rtc.exchangeAll(List.of(RawRequest.of(new RtcRequest.ClockCap(clock)),
                RawRequest.of(new RtcRequest.ClockCap(clock)).splitRequestAt(1, 2, 9, 15).splitResponseAt(1, 5, 9)));
        assertThat(ex).allSatisfy(e -> assertThat(e.wasUsed()).as(e.describe()).isTrue());
        assertThat(ex.get(1).writtenBytes()).as("the split chain's response vs the whole one:%n%s%n%s",
                ex.get(0).describe(), ex.get(1).describe()).isEqualTo(ex.get(0).writtenBytes());
    }
}
