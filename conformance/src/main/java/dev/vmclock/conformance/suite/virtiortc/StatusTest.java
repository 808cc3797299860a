package dev.vmclock.conformance.suite.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.VirtioRtcConformance;
import dev.vmclock.conformance.view.VirtioRtcView;
import dev.vmclock.harness.virtio.Le;
import dev.vmclock.harness.virtio.rtc.Exchange;
import dev.vmclock.harness.virtio.rtc.HwCounter;
import dev.vmclock.harness.virtio.rtc.MsgType;
import dev.vmclock.harness.virtio.rtc.RawRequest;
import dev.vmclock.harness.virtio.rtc.RtcRequest;
import dev.vmclock.harness.virtio.rtc.RtcResponse;
import dev.vmclock.harness.virtio.rtc.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** virtio-rtc §Device Operation (device normative): which status the device sets for which request. */
@VirtioRtcConformance
class StatusTest {

    /** A request the device must use; an unused one is a failure of the rule under test, with the bytes. */
    static RtcResponse answered(VirtioRtcView rtc, RawRequest r) {
        Exchange e = rtc.exchange(r);
        assertThat(e.wasUsed()).as("the device used the request buffer:%n%s", e.describe()).isTrue();
        return e.response();
    }

    static String status(RtcResponse r) {
        return Status.describe(r.status());
    }

    @Test
    @Clause("VRTC-OP-01")
    void supportedRequestsAnswerOk(VirtioRtcView rtc) {
        RtcResponse cfg = rtc.request(new RtcRequest.Cfg());
        assertThat(cfg.status()).as("%s: %s", new RtcRequest.Cfg(), cfg).isEqualTo(Status.OK.code());
        List<RtcRequest> requests = new ArrayList<>();
        for (VirtioRtcView.Clock c : rtc.clocks()) {
            requests.add(new RtcRequest.ClockCap(c.id()));
            requests.add(new RtcRequest.Read(c.id()));
        }
        assertThat(requests).allSatisfy(q -> {
            RtcResponse r = rtc.request(q);
            assertThat(r.status()).as("%s: %s", q, r).isEqualTo(Status.OK.code());
        });
    }

    @Test
    @Clause("VRTC-OP-02")
    void requestForNoClockIsNotOk(VirtioRtcView rtc) {
        int n = rtc.numClocks();
        RtcResponse r = answered(rtc, RawRequest.of(new RtcRequest.Read(n)));
        assertThat(r.status()).as("READ of clock_id %d (num_clocks %d): %s", n, n, r).isNotEqualTo(Status.OK.code());
    }

    @Test
    @Clause("VRTC-OP-04")
    void unknownMsgTypeIsEopnotsupp(VirtioRtcView rtc) {
        // 0x2000 is the alarmq's notification type: not a request the requestq describes.
        for (int type : new int[] {0x0000, 0x0003, 0x0fff, 0x1006, 0x2000, 0x4242, 0xffff}) {
            byte[] req = new byte[16];
            Le.putShort(req, 0, type);
            RtcResponse r = answered(rtc, RawRequest.bytes(req, 16, MsgType.REQ_CFG));
            assertThat(r.status()).as("msg_type %s: %s", MsgType.describe(type), r).isEqualTo(Status.EOPNOTSUPP.code());
        }
    }

    @Test
    @Clause("VRTC-OP-05")
    void unknownHwCounterIsEopnotsupp(VirtioRtcView rtc) {
        int clock = rtc.anyClock().id();
        int counter = 0x42;
        assertThat(HwCounter.isUnknownToAnyDevice(counter)).isTrue();
        RtcResponse cap = answered(rtc, RawRequest.of(new RtcRequest.CrossCap(clock, counter)));
        assertThat(cap.status()).as("CROSS_CAP clock %d hw_counter 0x%x: %s", clock, counter, cap)
                .isEqualTo(Status.EOPNOTSUPP.code());
        RtcResponse read = answered(rtc, RawRequest.of(new RtcRequest.ReadCross(clock, counter)));
        assertThat(read.status()).as("READ_CROSS clock %d hw_counter 0x%x: %s", clock, counter, read)
                .isEqualTo(Status.EOPNOTSUPP.code());
    }

    @Test
    @Clause("VRTC-OP-06")
    void unknownClockIdIsEnodev(VirtioRtcView rtc) {
        int n = rtc.numClocks();
        for (int id : new int[] {n, 0xffff}) {
            // Not READ_CROSS: a device without it may answer EOPNOTSUPP first (Errata VRTC-5).
            for (RtcRequest q : List.of(new RtcRequest.ClockCap(id), new RtcRequest.CrossCap(id, HwCounter.X86_TSC.code()),
                    new RtcRequest.Read(id))) {
                RtcResponse r = answered(rtc, RawRequest.of(q));
                assertThat(r.status()).as("%s with num_clocks %d: %s", q, n, r).isEqualTo(Status.ENODEV.code());
            }
        }
    }

    @Test
    @Clause("VRTC-OP-07")
    void nonzeroReservedFieldIsEinval(VirtioRtcView rtc) {
        int clock = rtc.anyClock().id();
        byte[] head = new RtcRequest.Read(clock).encode();
        head[2] = 1; // req_head.reserved[0]
        byte[] body = new RtcRequest.Read(clock).encode();
        body[15] = (byte) 0x80; // virtio_rtc_req_read.reserved[5]
        for (byte[] req : List.of(head, body)) {
            RtcResponse r = answered(rtc, RawRequest.bytes(req, 16, MsgType.REQ_READ));
            assertThat(r.status()).as("READ with a nonzero reserved byte %s: %s",
                    java.util.HexFormat.of().formatHex(req), r).isEqualTo(Status.EINVAL.code());
        }
    }

    @Test
    @Clause("VRTC-OP-19")
    void everyStatusIsADefinedValue(VirtioRtcView rtc) {
        int n = rtc.numClocks();
        List<RawRequest> battery = new ArrayList<>();
        for (RtcRequest q : List.of(new RtcRequest.Cfg(), new RtcRequest.ClockCap(0), new RtcRequest.ClockCap(n),
                new RtcRequest.CrossCap(0, HwCounter.X86_TSC.code()), new RtcRequest.CrossCap(0, HwCounter.ARM_VCT.code()),
                new RtcRequest.Read(0), new RtcRequest.Read(n), new RtcRequest.ReadCross(0, HwCounter.X86_TSC.code()),
                new RtcRequest.ReadAlarm(0), new RtcRequest.SetAlarm(0, 0, 0), new RtcRequest.SetAlarmEnabled(0, 0))) {
            battery.add(RawRequest.of(q));
        }
        battery.add(RawRequest.bytes(new byte[] {0x42, 0x42, 0, 0, 0, 0, 0, 0}, 16, MsgType.REQ_CFG));
        for (Exchange e : rtc.exchangeAll(battery)) {
            assertThat(e.wasUsed()).as("used:%n%s", e.describe()).isTrue();
            assertThat(Status.of(e.response().status())).as("status of%n%s", e.describe()).isPresent();
        }
    }
}
