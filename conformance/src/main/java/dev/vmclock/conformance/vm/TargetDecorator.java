package dev.vmclock.conformance.vm;

/**
 * Wraps a target to change what it does: how the self-test builds deliberately broken implementations. The
 * decorators live with the project's own tests and reach a run as values ({@code SuiteRunner.run(options,
 * decorator, ...)}); production code names none, and no configuration key selects one.
 */
@FunctionalInterface
public interface TargetDecorator {

    /** Leaves the target as it is: a run of the implementation itself. */
    TargetDecorator NONE = target -> target;

    VmTarget decorate(VmTarget target);
}
