package dev.vmclock.conformance.vm;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A hypervisor the suite can judge: found at run time through {@link ServiceLoader} (a jar on the class path with a
 * {@code META-INF/services/dev.vmclock.conformance.vm.VmmProvider} entry), chosen by {@code run --vmm NAME}. It
 * resolves the run's options once (probing its binary, choosing the accelerator, building what the guest needs)
 * into a {@link ResolvedTarget}, which opens the {@link VmTarget} every check sees. Like a CSI driver under
 * csi-sanity: a small fixed contract, the capabilities the implementation reports, and checks that become
 * NOT_APPLICABLE naming what it lacks.
 */
public interface VmmProvider {

    /** The name {@code --vmm} takes ({@code qemu}). */
    String name();

    /** One line for {@code doctor}: what this provider drives. */
    String description();

    /** Whether {@code --vmm vmm} names this provider (a provider may take a family, as {@code exec:PATH}). */
    default boolean accepts(String vmm) {
        return name().equals(vmm);
    }

    /**
     * The most this provider's VMM offers, known without its binary: the README's capability table is measured from it,
     * and its targets' capabilities derive from it.
     */
    VmmProfile profile();

    /** Probes and prepares once; bad input is a {@link HarnessException} naming the fix, before anything runs. */
    ResolvedTarget resolve(TargetOptions options);

    /**
     * What this provider finds on this host for {@code options}, a line each as it finds it (no guest is booted,
     * no image built); a {@link HarnessException} at the end when the implementation cannot be judged.
     */
    void doctor(TargetOptions options, Consumer<String> line);

    /** The providers on the class path, in the order ServiceLoader finds them. */
    static List<VmmProvider> all() {
        return ServiceLoader.load(VmmProvider.class).stream().map(ServiceLoader.Provider::get).toList();
    }

    /** The provider {@code vmm} names; none is bad input listing the known ones. */
    static VmmProvider named(String vmm) {
        List<VmmProvider> all = all();
        return all.stream().filter(p -> p.accepts(vmm)).findFirst().orElseThrow(() -> new HarnessException(
                ExitCode.USAGE, "unknown --vmm '" + vmm + "': give one of " + all.stream().map(VmmProvider::name)
                        .collect(Collectors.joining(", "))));
    }
}
