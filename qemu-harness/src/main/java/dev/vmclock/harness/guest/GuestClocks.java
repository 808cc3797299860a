package dev.vmclock.harness.guest;

import java.util.List;

/** The guest's clocks at one moment, and the TSC of each vCPU with CLOCK_MONOTONIC read right next to it. */
public record GuestClocks(long monotonicNanos, long realtimeNanos, long boottimeNanos, List<CpuTsc> tsc) {

    public record CpuTsc(int cpu, long tsc, long monotonicNanos) {
    }
}
