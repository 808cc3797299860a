package dev.vmclock.harness.guest;

import java.util.List;
import java.util.Optional;

/**
 * One reading of a guest PTP clock (ptp_vmclock's {@code vmclockN}, or one of virtio_rtc's), taken every way
 * Linux offers, each bracketed by the guest's TSC (on CPU 0), CLOCK_REALTIME and CLOCK_MONOTONIC_RAW.
 * Absent ({@link #present()} false, {@link #clock()} null) when the guest has no such clock.
 *
 * @param gettime   clock_gettime(FD_TO_CLOCKID(fd)): the driver's gettimex64
 * @param sysOffset PTP_SYS_OFFSET, one sample: system time, clock, system time
 * @param extended  PTP_SYS_OFFSET_EXTENDED, one sample: gettimex64 with the kernel's own system times
 * @param precise   PTP_SYS_OFFSET_PRECISE: the driver's getcrosststamp (paired system times)
 */
public record PtpReading(boolean present, PtpClock clock, Method gettime, Method sysOffset, Method extended,
                         Method precise) {

    /**
     * One way of reading the clock.
     *
     * @param errno       the error name when the driver refused (EINVAL, ETIMEDOUT, ENODEV, EOPNOTSUPP, ...), else empty
     * @param ptpNanos    the PTP clock's time, nanoseconds since its epoch (TAI for vmclock; the clock type's for virtio)
     * @param sysRealtimeNanos the system time the kernel paired with the reading (SYS_OFFSET and EXTENDED: before;
     *                    PRECISE: at the same counter value), 0 for gettime
     * @param sysMonorawNanos PRECISE only: CLOCK_MONOTONIC_RAW at the same counter value, else 0
     */
    public record Method(String name, Optional<String> errno, long ptpNanos, long sysRealtimeNanos,
                         long sysMonorawNanos, long tscBefore, long tscAfter, long realtimeBeforeNanos,
                         long realtimeAfterNanos, long monorawBeforeNanos, long monorawAfterNanos) {

        public boolean ok() {
            return errno.isEmpty();
        }

        public boolean refusedWith(String name) {
            return errno.filter(name::equals).isPresent();
        }

        @Override
        public String toString() {
            return name + (ok() ? "=" + ptpNanos + "ns (tsc " + tscBefore + ".." + tscAfter + ", realtime "
                    + realtimeBeforeNanos + ".." + realtimeAfterNanos + ")" : " refused " + errno.get());
        }
    }

    /** {@code ptpN}, or null when absent. */
    public String device() {
        return clock == null ? null : clock.dev();
    }

    /** The clock's clock_name, or null when absent. */
    public String clockName() {
        return clock == null ? null : clock.name();
    }

    public List<Method> methods() {
        return present ? List.of(gettime, sysOffset, extended, precise) : List.of();
    }

    @Override
    public String toString() {
        return present ? clock + ": " + methods() : "no such PTP clock";
    }
}
