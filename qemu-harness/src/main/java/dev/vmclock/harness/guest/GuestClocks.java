package dev.vmclock.harness.guest;

import java.util.List;

/**
 * The guest's clocks at one moment, and the TSC of each vCPU with CLOCK_MONOTONIC read right next to it.
 *
 * @param clocksource the kernel's current clocksource ({@code tsc} unless its watchdog found the TSC unstable)
 */
public record GuestClocks(long monotonicNanos, long realtimeNanos, long boottimeNanos, List<CpuTsc> tsc,
                          String clocksource) {

    public record CpuTsc(int cpu, long tsc, long monotonicNanos) {
    }
}
