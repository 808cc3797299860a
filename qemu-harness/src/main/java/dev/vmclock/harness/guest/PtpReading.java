package dev.vmclock.harness.guest;

import java.util.List;
import java.util.Optional;

/**
 * One reading of the guest's vmclock PTP clock ({@code /dev/ptpN} whose clock_name is {@code vmclockN}),
 * taken three ways, each bracketed by the guest's TSC (on CPU 0), CLOCK_REALTIME and CLOCK_MONOTONIC_RAW.
 * Absent ({@link #present()} false) when the driver registered no PTP clock.
 *
 * @param gettime  clock_gettime(FD_TO_CLOCKID(fd)): the driver's gettimex64
 * @param extended PTP_SYS_OFFSET_EXTENDED, one sample: gettimex64 with the kernel's own system times
 * @param precise  PTP_SYS_OFFSET_PRECISE: the driver's getcrosststamp (paired system times)
 */
public record PtpReading(boolean present, String device, String clockName, Method gettime, Method extended,
                         Method precise) {

    /**
     * One way of reading the clock.
     *
     * @param errno       the error name when the driver refused (EINVAL, ETIMEDOUT, ENODEV, ...), else empty
     * @param ptpNanos    the PTP clock's time, nanoseconds since its epoch (TAI for vmclock)
     * @param sysRealtimeNanos the system time the kernel paired with the reading (EXTENDED: before; PRECISE:
     *                    at the same counter value), 0 for gettime
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

    public List<Method> methods() {
        return present ? List.of(gettime, extended, precise) : List.of();
    }

    @Override
    public String toString() {
        return present ? device + " (" + clockName + "): " + methods() : "no vmclock PTP clock";
    }
}
