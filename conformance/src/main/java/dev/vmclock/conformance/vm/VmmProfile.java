package dev.vmclock.conformance.vm;

import dev.vmclock.harness.Device;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The most a provider's VMM can offer the suite, stated without its binary: what the README's capability table and a
 * target's {@link VmTarget#capabilities()} both come from.
 *
 * @param capabilities the capabilities at best (a host or run may narrow them: {@code conditional})
 * @param devices      the time devices its machine can have
 * @param missing      why each other capability is absent, a short line each ("no live migration")
 * @param conditional  offered capabilities that a host or a run may lack, and when
 * @param note         one line on devices and versions
 */
public record VmmProfile(Set<Capability> capabilities, List<Device> devices, Map<Capability, String> missing,
                         Map<Capability, String> conditional, String note) {

    public VmmProfile {
        capabilities = Collections.unmodifiableSet(capabilities.isEmpty() ? EnumSet.noneOf(Capability.class)
                : EnumSet.copyOf(capabilities));
        devices = List.copyOf(devices);
        missing = Collections.unmodifiableMap(missing.isEmpty() ? new EnumMap<>(Capability.class)
                : new EnumMap<>(missing));
        conditional = Collections.unmodifiableMap(conditional.isEmpty() ? new EnumMap<>(Capability.class)
                : new EnumMap<>(conditional));
        // Every absent capability says why, so the table never shows a bare name.
        Set<Capability> lacking = EnumSet.complementOf(EnumSet.copyOf(capabilities.isEmpty()
                ? EnumSet.noneOf(Capability.class) : capabilities));
        if (!missing.keySet().equals(lacking)) {
            throw new IllegalArgumentException("a profile says why for exactly the capabilities it lacks: lacks "
                    + lacking + ", says why for " + missing.keySet());
        }
        if (!capabilities.containsAll(conditional.keySet())) {
            throw new IllegalArgumentException("conditional capabilities " + conditional.keySet()
                    + " are not all offered: " + capabilities);
        }
    }

    /** The capabilities this VMM never offers ({@code run --without} gives a stand-in its shape). */
    public Set<Capability> lacking() {
        return missing.keySet();
    }

    /** Why {@code c} is absent, or when it is: empty for one always offered. */
    public Optional<String> why(Capability c) {
        return Optional.ofNullable(missing.getOrDefault(c, conditional.get(c)));
    }
}
