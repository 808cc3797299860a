package dev.vmclock.conformance.vm;

/**
 * The implementation under test, resolved once by its {@link VmmProvider}: typed, probed, described. The runner
 * carries it to the suite; equal configurations share one target (and one booted guest).
 */
public interface ResolvedTarget {

    /** The options it was resolved from. */
    TargetOptions options();

    /** The record the console's first line, report.json, JUnit XML and Allure print. */
    Implementation implementation();

    /** The run's target; the caller closes it when the run ends. */
    VmTarget open();
}
