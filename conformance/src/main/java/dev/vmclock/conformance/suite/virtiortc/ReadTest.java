package dev.vmclock.conformance.suite.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VirtioRtcConformance;
import dev.vmclock.conformance.view.VirtioRtcView;
import dev.vmclock.harness.virtio.rtc.ClockType;
import dev.vmclock.harness.virtio.rtc.Exchange;
import dev.vmclock.harness.virtio.rtc.RawRequest;
import dev.vmclock.harness.virtio.rtc.RtcRequest;
import dev.vmclock.harness.virtio.rtc.RtcResponse;
import dev.vmclock.harness.virtio.rtc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** virtio-rtc §Read Requests: VIRTIO_RTC_REQ_READ for every clock, its unit, its time and its order. */
@VirtioRtcConformance
class ReadTest {

    /** Host-referenced checks need a clock whose UTC reading tracks the host's within this bound. */
    static final long TRACKS_HOST_NS = 1_000_000_000L;

    @Test
    @Clause("VRTC-READ-02")
    void everyClockSupportsRead(VirtioRtcView rtc) {
        for (VirtioRtcView.Clock c : rtc.describedClocks()) {
            RtcResponse r = rtc.request(new RtcRequest.Read(c.id()));
            assertThat(r.status()).as("READ of clock %d: %s", c.id(), r).isEqualTo(Status.OK.code());
        }
    }

    @Test
    @Clause("VRTC-READ-01")
    void everyClockReadsContinuously(VirtioRtcView rtc) {
        List<VirtioRtcView.Clock> clocks = rtc.describedClocks();
        for (int round = 0; round < 20; round++) {
            for (VirtioRtcView.Clock c : clocks) {
                RtcResponse r = rtc.request(new RtcRequest.Read(c.id()));
                assertThat(r.status()).as("READ of clock %d, round %d: %s", c.id(), round, r).isEqualTo(Status.OK.code());
            }
        }
    }

    @Test
    @Clause("VRTC-READ-06")
    void readingIsInNanoseconds(VirtioRtcView rtc) throws InterruptedException {
        for (VirtioRtcView.Clock c : rtc.describedClocks()) {
            RateSample s = RateSample.of(rtc, c.id(), 300);
            rtc.evidence().note("clock " + c.id() + ": " + s);
            assertThat(s.consistentWithRate(1.0, 0.02)).as("clock %d: %s, in nanoseconds", c.id(), s).isTrue();
        }
    }

    @Test
    @Clause("VRTC-READ-07")
    void readingIsTakenAfterTheRequestIsAvailable(VirtioRtcView rtc) {
        VirtioRtcView.Clock utc = rtc.clocksOfType(ClockType.UTC).get(0);
        long offset = rtc.reading(utc.id()) - HostTime.utcNanos();
        NotApplicable.unless(Math.abs(offset) < TRACKS_HOST_NS, "the UTC clock is " + HostTime.seconds(offset)
                + " off the host's UTC, so its readings cannot be placed in the host's time");
        for (int i = 0; i < 20; i++) {
            Exchange e = rtc.exchange(RawRequest.of(new RtcRequest.Read(utc.id())));
            long available = HostTime.toNanos(e.availableAt());
            // 1 ms: the JVM's wall clock has microseconds, QEMU's host clock nanoseconds; both are CLOCK_REALTIME.
            assertThat(VirtioRtcView.reading(e.response(), utc.id())).as("reading vs host time when the request became available "
                    + "(%d):%n%s", available, e.describe()).isGreaterThanOrEqualTo(available - 1_000_000L);
        }
    }

    @Test
    @Clause("VRTC-READ-03")
    void inFlightReadingsFollowAvailableOrder(VirtioRtcView rtc) {
        for (VirtioRtcView.Clock c : rtc.describedClocks()) {
            List<Exchange> ex = rtc.exchangeAll(Collections.nCopies(8, RawRequest.of(new RtcRequest.Read(c.id()))));
            long previous = Long.MIN_VALUE;
            for (Exchange e : ex) {
                assertThat(e.wasUsed()).as(e.describe()).isTrue();
                long r = VirtioRtcView.reading(e.response(), c.id());
                assertThat(r).as("clock %d: reading of request #%d vs the one made available before it (%d)%n%s", c.id(),
                        e.availablePosition(), previous, e.describe()).isGreaterThanOrEqualTo(previous);
                previous = r;
            }
        }
    }

    @Test
    @Clause("VRTC-READ-04")
    void inFlightReadsAreUsedInAvailableOrder(VirtioRtcView rtc) {
        for (VirtioRtcView.Clock c : rtc.describedClocks()) {
            List<Exchange> ex = rtc.exchangeAll(Collections.nCopies(8, RawRequest.of(new RtcRequest.Read(c.id()))));
            List<Integer> usedOrder = new ArrayList<>();
            for (Exchange e : ex) {
                assertThat(e.wasUsed()).as(e.describe()).isTrue();
                usedOrder.add(e.used().orElseThrow().position());
            }
            assertThat(usedOrder).as("used-ring positions of reads of clock %d, in available order", c.id()).isSorted();
        }
    }

    @Test
    @Clause("VRTC-READ-05")
    void monotonicReadingsNeverDecrease(VirtioRtcView rtc) {
        for (VirtioRtcView.Clock c : rtc.clocksOfType(ClockType.MONOTONIC)) {
            long previous = Long.MIN_VALUE;
            for (int i = 0; i < 50; i++) {
                long r = rtc.reading(c.id());
                assertThat(Long.compareUnsigned(r, previous) >= 0 || previous == Long.MIN_VALUE)
                        .as("MONOTONIC clock %d: %d after %d", c.id(), r, previous).isTrue();
                previous = r;
            }
        }
    }
}
