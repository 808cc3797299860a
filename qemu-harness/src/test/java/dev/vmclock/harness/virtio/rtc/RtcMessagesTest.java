package dev.vmclock.harness.virtio.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The message layer against the spec's structures, byte for byte. */
class RtcMessagesTest {

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void requestsEncodeAsTheSpecStructures() {
        assertThat(hex(new RtcRequest.Cfg().encode())).isEqualTo("0010000000000000");
        assertThat(hex(new RtcRequest.ClockCap(0x0102).encode())).isEqualTo("0110000000000000" + "0201000000000000");
        assertThat(hex(new RtcRequest.CrossCap(3, 1).encode())).isEqualTo("0210000000000000" + "0300010000000000");
        assertThat(hex(new RtcRequest.Read(0).encode())).isEqualTo("0100000000000000" + "0000000000000000");
        assertThat(hex(new RtcRequest.ReadCross(1, 0xf0).encode())).isEqualTo("0200000000000000" + "0100f00000000000");
        assertThat(hex(new RtcRequest.ReadAlarm(2).encode())).isEqualTo("0310000000000000" + "0200000000000000");
        assertThat(hex(new RtcRequest.SetAlarm(0x0102030405060708L, 5, 1).encode()))
                .isEqualTo("0410000000000000" + "0807060504030201" + "0500010000000000");
        assertThat(hex(new RtcRequest.SetAlarmEnabled(7, 0).encode())).isEqualTo("0510000000000000" + "0700000000000000");
    }

    @Test
    void everyRequestHasItsStructureSize() {
        for (RtcRequest r : List.of(new RtcRequest.Cfg(), new RtcRequest.ClockCap(0), new RtcRequest.CrossCap(0, 0),
                new RtcRequest.Read(0), new RtcRequest.ReadCross(0, 1), new RtcRequest.ReadAlarm(0),
                new RtcRequest.SetAlarm(0, 0, 0), new RtcRequest.SetAlarmEnabled(0, 0))) {
            assertThat(r.encode()).as(r.toString()).hasSize(r.type().requestSize());
        }
        assertThat(MsgType.REQ_READ_CROSS.responseSize()).isEqualTo(24);
        assertThat(MsgType.REQ_SET_ALARM.responseSize()).isEqualTo(8);
    }

    @Test
    void responsesDecodeFieldByField() {
        RtcResponse cfg = new RtcResponse(MsgType.REQ_CFG, HexFormat.of().parseHex("00000000000000000300000000000000"));
        assertThat(cfg.ok()).isTrue();
        assertThat(cfg.numClocks()).isEqualTo(3);
        RtcResponse cap = new RtcResponse(MsgType.REQ_CLOCK_CAP, HexFormat.of().parseHex("00000000000000000302010000000000"));
        assertThat(cap.clockType()).isEqualTo(ClockType.UTC_SMEARED.code());
        assertThat(cap.leapSecondSmearing()).isEqualTo(SmearingVariant.UTC_SLS.code());
        assertThat(cap.flags()).isEqualTo(1);
        RtcResponse read = new RtcResponse(MsgType.REQ_READ_CROSS,
                HexFormat.of().parseHex("00000000000000000100000000000080" + "ffffffffffffff7f"));
        assertThat(read.clockReading()).isEqualTo(0x8000000000000001L);
        assertThat(read.counterCycles()).isEqualTo(Long.MAX_VALUE);
        RtcResponse notif = new RtcResponse(MsgType.NOTIF_ALARM, HexFormat.of().parseHex("00200000000000000200000000000000"));
        assertThat(notif.notificationMsgType()).isEqualTo(MsgType.NOTIF_ALARM.code());
        assertThat(notif.notificationClockId()).isEqualTo(2);
    }

    @Test
    void aShortResponseNeverPassesForAComplete() {
        RtcResponse shortRead = new RtcResponse(MsgType.REQ_READ, HexFormat.of().parseHex("000000000000000001020304"));
        assertThat(shortRead.has(8, 8)).isFalse();
        assertThatThrownBy(shortRead::clockReading).isInstanceOf(IllegalStateException.class);
        assertThat(new RtcResponse(MsgType.REQ_CFG, new byte[0]).status()).isEqualTo(-1);
        assertThat(new RtcResponse(MsgType.REQ_CFG, new byte[9]).numClocks()).isEqualTo(-1);
    }

    @Test
    void reservedOffsetsCoverEveryReservedByte() {
        assertThat(new RtcResponse(MsgType.REQ_CFG, new byte[16]).reservedOffsets()).containsExactly(1, 2, 3, 4, 5, 6, 7,
                10, 11, 12, 13, 14, 15);
        assertThat(new RtcResponse(MsgType.REQ_READ, new byte[16]).reservedOffsets()).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(new RtcResponse(MsgType.NOTIF_ALARM, new byte[16]).reservedOffsets()).containsExactly(2, 3, 4, 5, 6, 7,
                10, 11, 12, 13, 14, 15);
    }

    @Test
    void rawRequestsSplitWhereTheTestSays() {
        RawRequest r = RawRequest.of(new RtcRequest.Read(0)).splitRequestAt(3, 9).splitResponseAt(1, 12);
        assertThat(r.readable()).extracting(Segment::length).containsExactly(3, 6, 7);
        assertThat(r.writableSegments()).extracting(Segment::length).containsExactly(1, 11, 4);
        assertThat(r.requestBytes()).isEqualTo(new RtcRequest.Read(0).encode());
        assertThat(r.withResponseLength(8).writableLength()).isEqualTo(8);
        assertThat(r.decodeAs()).contains(MsgType.REQ_READ);
    }

    @Test
    void namesOfCodes() {
        assertThat(MsgType.describe(0x1000)).isEqualTo("VIRTIO_RTC_REQ_CFG (0x1000)");
        assertThat(MsgType.describe(0x4242)).isEqualTo("unknown (0x4242)");
        assertThat(Status.describe(1)).isEqualTo("undefined (1)");
        assertThat(ClockType.describe(0xf3)).startsWith("implementation-specific");
        assertThat(HwCounter.isUnknownToAnyDevice(0x42)).isTrue();
        assertThat(HwCounter.isUnknownToAnyDevice(0xf5)).isFalse();
    }
}
