package dev.vmclock.conformance.vm;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Wraps a target to change what it does: how the self-test builds deliberately broken implementations
 * (test sources register theirs through {@link java.util.ServiceLoader}; production code has none).
 * Selected by id with the configuration parameter {@code vmclock.fault}.
 */
public interface TargetDecorator {

    /** The id {@code vmclock.fault} names. */
    String id();

    VmTarget decorate(VmTarget target);

    /** The self-test's decorator named {@code id}, from the class path; an unknown one is bad input. */
    static TargetDecorator named(String id) {
        List<TargetDecorator> known = ServiceLoader.load(TargetDecorator.class).stream().map(ServiceLoader.Provider::get)
                .toList();
        return known.stream().filter(d -> d.id().equals(id)).findFirst().orElseThrow(() -> new HarnessException(
                ExitCode.USAGE, "unknown fault '" + id + "'; known here: " + known.stream().map(TargetDecorator::id).toList()));
    }
}
