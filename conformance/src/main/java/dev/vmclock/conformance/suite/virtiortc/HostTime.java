package dev.vmclock.conformance.suite.virtiortc;

import dev.vmclock.conformance.view.VirtioRtcGuestView.HostBracketed;
import dev.vmclock.harness.guest.PtpClock;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.virtio.rtc.ClockType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The host's UTC (CLOCK_REALTIME, which QEMU's and the JVM's clocks share) in nanoseconds since the epoch; and,
 * for the guest-level checks, the host's time in a virtio-rtc clock's terms and how far a guest reading lies from
 * it: a reading taken while the agent call was in flight lies inside the host's bracket around that call, so the
 * bound is the measured round trip, not a guess.
 */
final class HostTime {


    /** TAI - UTC since 2017-01-01 (IERS Bulletin C: no leap second announced since). */
    static final long TAI_MINUS_UTC_NS = 37_000_000_000L;

    private HostTime() {
    }

    static long utcNanos() {
        return toNanos(Instant.now());
    }

    static long toNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    static String seconds(long nanos) {
        return String.format("%.6f s", nanos / 1e9);
    }

    /** virtio_rtc's PHC readings are whole microseconds (the driver truncates the device's nanoseconds). */
    static final long PHC_RESOLUTION_NS = 1_000;

    /** What to add to host UTC to get the time of a clock of {@code type}; empty when the host has no such clock. */
    static Optional<Long> offsetFromUtc(Optional<ClockType> type) {
        return type.flatMap(t -> switch (t) {
            // Smeared clocks differ from UTC only around a leap second (none in this run's window, see leapSecondNear).
            case UTC, UTC_SMEARED, UTC_MAYBE_SMEARED -> Optional.of(0L);
            case TAI -> Optional.of(TAI_MINUS_UTC_NS);
            case MONOTONIC -> Optional.empty();
        });
    }

    /** Whether {@code clock}'s time can be compared with the host's. */
    static boolean comparable(PtpClock clock) {
        return offsetFromUtc(clock.virtioClockType()).isPresent();
    }

    /** Whether a UTC leap second could fall in [from - 1 s, to + 1 s]: the end of June 30 or December 31. */
    static boolean leapSecondNear(long fromNanos, long toNanos) {
        LocalDate day = Instant.ofEpochSecond(Math.floorDiv(fromNanos, 1_000_000_000L) - 1).atOffset(ZoneOffset.UTC).toLocalDate();
        LocalDate next = day.plusDays(1);
        long midnight = next.atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L;
        return midnight <= toNanos + 1_000_000_000L && next.getDayOfMonth() == 1
                && (next.getMonthValue() == 7 || next.getMonthValue() == 1);
    }

    /** One method's reading against the host: its offset from the bracket's middle and how far outside the bound. */
    record Deviation(String method, long offsetNanos, long boundNanos) {
        boolean within() {
            return Math.abs(offsetNanos) <= boundNanos;
        }

        @Override
        public String toString() {
            return String.format("%s: reading - host = %+.1f us (bound +-%.1f us)%s", method, offsetNanos / 1e3,
                    boundNanos / 1e3, within() ? "" : " OUTSIDE");
        }
    }

    /**
     * Each successful method of {@code b} against the host time of its clock type: offset from the middle of the
     * host bracket; bound half the round trip plus the PHC's resolution.
     */
    static List<Deviation> deviations(PtpClock clock, HostBracketed<PtpReading> b) {
        long offset = offsetFromUtc(clock.virtioClockType()).orElseThrow();
        long mid = b.hostBeforeNanos() + b.roundTripNanos() / 2;
        long bound = b.roundTripNanos() / 2 + PHC_RESOLUTION_NS;
        List<Deviation> out = new ArrayList<>();
        for (PtpReading.Method m : b.reading().methods()) {
            if (m.ok()) {
                out.add(new Deviation(m.name(), m.ptpNanos() - offset - mid, bound));
            }
        }
        return out;
    }
}
