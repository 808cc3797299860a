package dev.vmclock.conformance.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.vm.TargetOptions;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The suite for real on Firecracker and on Cloud Hypervisor: only where KVM boots a Linux guest and the binary is
 * given ({@code -Dvmclock.firecracker=PATH}, {@code -Dvmclock.cloudHypervisor=PATH}); elsewhere skipped naming why.
 */
class MicroVmSuiteTest {

    private static String given(String property) {
        String path = System.getProperty(property);
        assumeTrue(path != null && !path.isBlank(), "no -D" + property + "=PATH given");
        Optional<String> kvm = KvmHost.local().unusable();
        assumeTrue(kvm.isEmpty(), () -> "KVM cannot boot a Linux guest here: " + kvm.orElse(""));
        return path;
    }

    private static void judged(SuiteRun run) {
        assertThat(run.clauses().stream().filter(c -> c.verdict() == Verdict.ERROR)
                .map(c -> c.clause().id() + ": " + c.reason()).toList()).as("ERRORs").isEmpty();
        assertThat(run.ids(Verdict.PASS)).as("clauses passed").isNotEmpty();
    }

    @Test
    void firecracker() {
        String fc = given("vmclock.firecracker");
        judged(SuiteRunner.run(TargetOptions.defaults().with(b -> b.vmm("firecracker").firecracker(fc)), Set.of(),
                o -> { }));
    }

    @Test
    void cloudHypervisor() {
        String ch = given("vmclock.cloudHypervisor");
        judged(SuiteRunner.run(TargetOptions.defaults().with(b -> b.vmm("cloud-hypervisor").cloudHypervisor(ch)),
                Set.of(), o -> { }));
    }
}
