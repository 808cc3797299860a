package dev.vmclock.conformance.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.run.TestOutcome;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmmProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole suite on stock QEMU 10.0 twice: through the reference adapter ({@code --vmm exec:}) and through the
 * built-in provider. Every clause's verdict and every check's verdict are the same, and nothing ERRORs: the adapter
 * protocol carries everything the suite judges QEMU by.
 */
@ExtendWith(GuestSlots.class)
class ReferenceAdapterSuiteTest {

    private static final String HOST_QEMU = "/usr/bin/qemu-system-x86_64";

    @Test
    void theSuiteThroughTheReferenceAdapterGivesTheBuiltInProvidersVerdicts(@TempDir Path dir) throws Exception {
        // v1 passes no arguments to the adapter: a wrapper names the QEMU, as a vendor's would.
        Path wrapper = dir.resolve("qemu-10.0-adapter");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + ExecProviderTest.ADAPTER + " --qemu " + HOST_QEMU + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));

        // Resolved here (as SuiteRunner.run(TargetOptions, ...) would) to see that the run goes through the adapter.
        ResolvedTarget adapter = resolve(Map.of("vmclock.vmm", "exec:" + wrapper,
                "vmclock.evidenceDir", dir.resolve("exec").toString()));
        assertThat(adapter.implementation().details()).containsEntry("adapter", wrapper.toString());
        assertThat(adapter.implementation().version()).startsWith("10.0");
        SuiteRun exec = SuiteRunner.run(adapter, Set.of(), o -> { });
        SuiteRun builtIn = SuiteRunner.run(TargetOptions.defaults().with(b -> b.qemu(HOST_QEMU).accel("tcg")
                .evidenceDir(dir.resolve("qemu"))), Set.of(), o -> { });

        for (SuiteRun run : new SuiteRun[] {exec, builtIn}) {
            assertThat(run.tests().stream().filter(t -> t.verdict() == Verdict.ERROR)
                    .map(t -> t.testName() + ": " + t.message()).toList()).as("ERRORs").isEmpty();
        }
        assertThat(clauses(exec)).as("clause verdicts, exec: against the built-in provider").isEqualTo(clauses(builtIn));
        assertThat(tests(exec)).as("check verdicts, exec: against the built-in provider").isEqualTo(tests(builtIn));
        assertThat(clauses(exec).values()).as("a run that judged something").contains(Verdict.PASS);
    }

    private static ResolvedTarget resolve(Map<String, String> config) {
        TargetOptions o = TargetOptions.from(k -> Optional.ofNullable(config.get(k)));
        return VmmProvider.named(o.vmm()).resolve(o);
    }

    private static Map<String, Verdict> clauses(SuiteRun run) {
        return run.clauses().stream().collect(Collectors.toMap(c -> c.clause().id(), c -> c.verdict(), (a, b) -> a,
                TreeMap::new));
    }

    private static Map<String, Verdict> tests(SuiteRun run) {
        return run.tests().stream().collect(Collectors.toMap(TestOutcome::testName, TestOutcome::verdict, (a, b) -> a,
                TreeMap::new));
    }
}
