package dev.vmclock.conformance.vm;

/**
 * Wraps a target to change what it does: how the self-test builds deliberately broken implementations
 * (test sources register theirs through {@link java.util.ServiceLoader}; production code has none).
 * Selected by id with the configuration parameter {@code vmclock.fault}.
 */
public interface TargetDecorator {

    /** The id {@code vmclock.fault} names. */
    String id();

    VmTarget decorate(VmTarget target);
}
