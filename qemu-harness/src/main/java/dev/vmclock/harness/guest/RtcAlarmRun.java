package dev.vmclock.harness.guest;

import java.util.Optional;

/**
 * An alarm set through the RTC class and waited for in the guest (agent {@code rtc_alarm}): the RTC's tick the alarm
 * was counted from, the alarm ({@code RTC_WKALM_SET}, enabled, {@code aheadSeconds} after that tick), the guest's
 * CLOCK_MONOTONIC when poll() on {@code /dev/rtcN} returned with the alarm interrupt, and the RTC's next tick after
 * the wake-up. Guest times are CLOCK_MONOTONIC nanoseconds.
 *
 * @param tickBefore          the tick to second S the alarm time is counted from
 * @param alarmEpochSeconds   the alarm time set, S + ahead
 * @param setAfterNanos       when RTC_WKALM_SET returned
 * @param coreAlarm           RTC_WKALM_RD right after setting (the RTC core's view, not the device's)
 * @param fired               poll() reported the alarm interrupt within {@code waitMillis}
 * @param waitStartNanos      when the wait began
 * @param wakeNanos           when poll() returned (fired or not)
 * @param irqData             what read() of /dev/rtcN gave (RTC_AF | RTC_IRQF and the count above bit 8), 0 if not fired
 * @param tickAfter           the first tick after the wake-up; empty when the alarm did not fire
 * @param aieOffErrno         the error of the clean-up RTC_AIE_OFF, if any
 */
public record RtcAlarmRun(RtcEdge tickBefore, long alarmEpochSeconds, long setBeforeNanos, long setAfterNanos,
                          RtcWakeAlarm coreAlarm, boolean fired, long waitMillis, long waitStartNanos, long wakeNanos,
                          long wakeRealtimeNanos, long irqData, Optional<String> pollErrno, Optional<RtcEdge> tickAfter,
                          Optional<String> aieOffErrno) {

    /** RTC_AF (0x20) | RTC_IRQF (0x80): an alarm interrupt. */
    public static final int RTC_AF = 0x20;
    public static final int RTC_IRQF = 0x80;

    public boolean alarmInterrupt() {
        return (irqData & RTC_AF) != 0;
    }

    @Override
    public String toString() {
        return String.format("from %s: alarm at %d s set (RTC_WKALM_SET done at guest monotonic %d; RTC core: %s); %s at %d "
                        + "(%.3f s into a %d ms wait, read() 0x%x%s); then %s%s", tickBefore, alarmEpochSeconds,
                setAfterNanos, coreAlarm, fired ? "alarm interrupt" : "no alarm interrupt", wakeNanos,
                (wakeNanos - waitStartNanos) / 1e9, waitMillis, irqData, pollErrno.map(e -> ", poll " + e).orElse(""),
                tickAfter.map(String::valueOf).orElse("no tick measured"),
                aieOffErrno.map(e -> "; RTC_AIE_OFF " + e).orElse(""));
    }
}
