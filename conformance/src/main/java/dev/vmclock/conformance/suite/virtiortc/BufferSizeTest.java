package dev.vmclock.conformance.suite.virtiortc;

import static dev.vmclock.conformance.suite.virtiortc.StatusTest.answered;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.VirtioRtcConformance;
import dev.vmclock.conformance.view.VirtioRtcView;
import dev.vmclock.harness.virtio.rtc.Exchange;
import dev.vmclock.harness.virtio.rtc.MsgType;
import dev.vmclock.harness.virtio.rtc.RawRequest;
import dev.vmclock.harness.virtio.rtc.RtcRequest;
import dev.vmclock.harness.virtio.rtc.RtcResponse;
import dev.vmclock.harness.virtio.rtc.Segment;
import dev.vmclock.harness.virtio.rtc.Status;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** virtio-rtc §Device Operation: buffers too short, exact, and larger than the request or the response. */
@VirtioRtcConformance
class BufferSizeTest {

    @Test
    @Clause("VRTC-OP-08")
    void requestShorterThanItsStructureIsEinval(VirtioRtcView rtc) {
        int clock = rtc.anyClock().id();
        byte[] read = new RtcRequest.Read(clock).encode();
        byte[] cap = new RtcRequest.ClockCap(clock).encode();
        for (RawRequest r : List.of(RawRequest.bytes(Arrays.copyOf(read, 12), 16, MsgType.REQ_READ),
                RawRequest.bytes(Arrays.copyOf(cap, 8), 16, MsgType.REQ_CLOCK_CAP))) {
            RtcResponse resp = answered(rtc, r);
            assertThat(resp.status()).as("%d of %d request bytes: %s", r.requestBytes().length,
                    r.decodeAs().orElseThrow().requestSize(), resp).isEqualTo(Status.EINVAL.code());
        }
    }

    @Test
    @Clause("VRTC-OP-08")
    void headerCutShortIsEinval(VirtioRtcView rtc) {
        // msg_type is there (4 bytes of the 8-byte header): the request it names does not fit.
        byte[] req = Arrays.copyOf(new RtcRequest.Cfg().encode(), 4);
        RtcResponse resp = answered(rtc, RawRequest.bytes(req, 16, MsgType.REQ_CFG));
        assertThat(resp.status()).as("CFG in a 4-byte device-readable buffer: %s", resp).isEqualTo(Status.EINVAL.code());
    }

    @Test
    @Clause("VRTC-OP-09")
    void responseBufferTooSmallIsEinval(VirtioRtcView rtc) {
        int clock = rtc.anyClock().id();
        for (RawRequest r : List.of(RawRequest.of(new RtcRequest.Read(clock)).withResponseLength(12),
                RawRequest.of(new RtcRequest.Cfg()).withResponseLength(8),
                RawRequest.of(new RtcRequest.ClockCap(clock)).withResponseLength(1))) {
            RtcResponse resp = answered(rtc, r);
            assertThat(resp.status()).as("%s response in %d writable bytes: %s", r.decodeAs().orElseThrow(),
                    r.writableLength(), resp).isEqualTo(Status.EINVAL.code());
        }
    }

    @Test
    @Clause("VRTC-OP-10")
    void noStatusWrittenWithoutRoomForIt(VirtioRtcView rtc) {
        Exchange e = rtc.exchange(RawRequest.of(List.of(Segment.readable(new RtcRequest.Cfg().encode()),
                Segment.writable(0)), MsgType.REQ_CFG));
        assertThat(e.guardsIntact()).as("no byte written past a zero-length writable buffer:%n%s", e.describe()).isTrue();
        if (e.wasUsed()) {
            assertThat(e.usedLength()).as("used length with no room for status").isZero();
        }
    }

    @Test
    @Clause("VRTC-OP-11")
    void requestWithoutRoomForStatusIsStillUsed(VirtioRtcView rtc) {
        Exchange e = rtc.exchange(RawRequest.of(List.of(Segment.readable(new RtcRequest.Cfg().encode()),
                Segment.writable(0)), MsgType.REQ_CFG));
        assertThat(e.wasUsed()).as("the device used the chain (and stays usable):%n%s", e.describe()).isTrue();
        assertThat(e.needsReset()).as("DEVICE_NEEDS_RESET set").isFalse();
    }

    @Test
    @Clause("VRTC-OP-12")
    void extraRequestSpaceIsIgnored(VirtioRtcView rtc) {
        int clock = rtc.anyClock().id();
        byte[] req = Arrays.copyOf(new RtcRequest.Read(clock).encode(), 64);
        Arrays.fill(req, 16, 64, (byte) 0xff);
        RtcResponse resp = answered(rtc, RawRequest.bytes(req, 16, MsgType.REQ_READ));
        assertThat(resp.status()).as("READ followed by 48 bytes of 0xff: %s", resp).isEqualTo(Status.OK.code());
        long now = HostTime.utcNanos();
        long plain = rtc.reading(clock);
        assertThat(Math.abs(plain - resp.clockReading())).as("reading like a plain READ's (host now %d)", now)
                .isLessThan(1_000_000_000L);
    }

    @Test
    @Clause("VRTC-OP-13")
    void extraResponseSpaceIsLeftAlone(VirtioRtcView rtc) {
        int clock = rtc.anyClock().id();
        Exchange e = rtc.exchange(RawRequest.of(new RtcRequest.Read(clock)).withResponseLength(64));
        assertThat(e.wasUsed()).as("used:%n%s", e.describe()).isTrue();
        assertThat(e.response().status()).as("status%n%s", e.describe()).isEqualTo(Status.OK.code());
        byte[] extra = Arrays.copyOfRange(e.writtenBytes(), MsgType.REQ_READ.responseSize(), 64);
        byte[] fill = new byte[extra.length];
        Arrays.fill(fill, (byte) RawRequest.DEFAULT_FILL);
        assertThat(extra).as("bytes after the 16-byte response (filled with 0xaa before):%n%s", e.describe())
                .isEqualTo(fill);
        assertThat(e.guardsIntact()).isTrue();
    }
}
