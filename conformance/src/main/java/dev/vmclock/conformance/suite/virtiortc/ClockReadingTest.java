package dev.vmclock.conformance.suite.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.VirtioRtcConformance;
import dev.vmclock.conformance.view.VirtioRtcView;
import dev.vmclock.harness.virtio.rtc.ClockType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * virtio-rtc §Control Requests (device normative): time standards and epochs, judged against the host's
 * clock (the device under test runs on this host; the bound is wide enough for any synchronised clock).
 */
@VirtioRtcConformance
class ClockReadingTest {

    static final long BOUND_NS = 1_000_000_000L;

    private static long offsetFromHostUtc(VirtioRtcView rtc, int clockId, long expectedAhead) {
        long before = HostTime.utcNanos();
        long reading = rtc.reading(clockId);
        long after = HostTime.utcNanos();
        long offset = reading - expectedAhead - (before + (after - before) / 2);
        rtc.evidence().note("clock " + clockId + ": reading " + reading + ", host UTC " + before + ".." + after
                + ", offset from expected " + HostTime.seconds(offset));
        return offset;
    }

    @Test
    @Clause("VRTC-CTRL-05")
    void utcClockReadsUtc(VirtioRtcView rtc) {
        for (VirtioRtcView.Clock c : rtc.clocksOfType(ClockType.UTC)) {
            assertThat(Math.abs(offsetFromHostUtc(rtc, c.id(), 0))).as("clock %d (UTC) vs host UTC, ns", c.id())
                    .isLessThan(BOUND_NS);
        }
    }

    @Test
    @Clause({"VRTC-CTRL-06", "VRTC-CTRL-07"})
    void utcLikeClocksCountPosixSecondsFromTheUnixEpoch(VirtioRtcView rtc) {
        List<VirtioRtcView.Clock> utcLike = rtc.describedClocks().stream()
                .filter(c -> c.clockType().map(ClockType::isUtcLike).orElse(false)).toList();
        dev.vmclock.conformance.NotApplicable.unless(!utcLike.isEmpty(), "the device has no UTC-like clock");
        for (VirtioRtcView.Clock c : utcLike) {
            // A smearing clock is within a second of UTC even mid-smear.
            assertThat(Math.abs(offsetFromHostUtc(rtc, c.id(), 0))).as("clock %d (%s) vs host POSIX time, ns", c.id(),
                    ClockType.describe(c.type())).isLessThan(2 * BOUND_NS);
        }
    }

    @Test
    @Clause({"VRTC-CTRL-20", "VRTC-CTRL-21"})
    void taiClockReadsTaiSinceTheTaiEpoch(VirtioRtcView rtc) {
        for (VirtioRtcView.Clock c : rtc.clocksOfType(ClockType.TAI)) {
            assertThat(Math.abs(offsetFromHostUtc(rtc, c.id(), HostTime.TAI_MINUS_UTC_NS)))
                    .as("clock %d (TAI) vs host UTC + 37 s, ns", c.id()).isLessThan(BOUND_NS);
        }
    }

    @Test
    @Clause("VRTC-CTRL-22")
    void monotonicClockTicksSiSeconds(VirtioRtcView rtc) throws InterruptedException {
        for (VirtioRtcView.Clock c : rtc.clocksOfType(ClockType.MONOTONIC)) {
            RateSample s = RateSample.of(rtc, c.id(), 500);
            assertThat(s.consistentWithRate(1.0, 0.01)).as("MONOTONIC clock %d: %s", c.id(), s).isTrue();
        }
    }

    @Test
    @Clause("VRTC-CTRL-23")
    void monotonicEpochIsNotAfterTheReset(VirtioRtcView rtc) {
        List<VirtioRtcView.Clock> mono = rtc.clocksOfType(ClockType.MONOTONIC);
        long resetAt = System.nanoTime();
        rtc.renegotiate(true, 4);
        for (VirtioRtcView.Clock c : mono) {
            long sinceReset = System.nanoTime() - resetAt; // before the request is made available
            long reading = rtc.reading(c.id());
            assertThat(Long.compareUnsigned(reading, sinceReset) >= 0).as("MONOTONIC clock %d reads %d ns, %d ns after "
                    + "the reset began: its epoch lies after the reset", c.id(), reading, sinceReset).isTrue();
        }
    }
}
