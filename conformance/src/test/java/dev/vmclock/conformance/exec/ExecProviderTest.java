package dev.vmclock.conformance.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.vm.Sibling;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.conformance.vm.VmmProvider;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.page.HostPageReader;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.PageLocation;
import dev.vmclock.harness.page.PageLocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --vmm exec:PATH} through ServiceLoader, on the reference adapter and host QEMU. */
class ExecProviderTest {

    static final Path ADAPTER = Path.of("adapters", "qemu-adapter.py").toAbsolutePath();

    private static TargetOptions options(String vmm, Path evidence) {
        Map<String, String> p = Map.of("vmclock.vmm", vmm, "vmclock.evidenceDir", evidence.toString());
        return TargetOptions.from(k -> Optional.ofNullable(p.get(k)));
    }

    @Test
    void theReferenceAdapterIsATargetWhosePageFollowsEachEvent(@TempDir Path evidence) {
        VmmProvider provider = VmmProvider.named("exec:" + ADAPTER);
        assertThat(provider).isInstanceOf(ExecProvider.class);
        var resolved = provider.resolve(options("exec:" + ADAPTER, evidence));
        assertThat(resolved.implementation().vmm()).isEqualTo("qemu");
        assertThat(resolved.implementation().details()).containsEntry("adapter", ADAPTER.toString());
        try (VmTarget t = resolved.open()) {
            assertThat(t.capabilities()).contains(Capability.HOST_MEMORY, Capability.SNAPSHOT, Capability.LIVE_MIGRATION,
                    Capability.FILE_RESTORE, Capability.GUEST_AGENT);
            assertThat(t.guest().version().driverLoaded()).as("ptp_vmclock in the guest").isTrue();
            PageLocation where = PageLocator.locate(t.hostMemory(), Duration.ofSeconds(30));
            HostPageReader page = new HostPageReader(t.hostMemory(), where);
            long m0 = page.read().page().field(PageField.DISRUPTION_MARKER);
            assertThat(t.undergo(Event.LIVE_MIGRATION)).singleElement()
                    .satisfies(r -> assertThat(r.transcript()).isNotEmpty());
            assertThat(page.read().page().field(PageField.DISRUPTION_MARKER)).isEqualTo(m0 + 1);
            // The source QEMU has quit: the agent answers only if the session followed the adapter's new endpoint.
            assertThat(t.guest().ping().path("ok").asBoolean()).isTrue();
            assertThat(t.undergo(Event.FILE_RESTORE)).hasSize(2);
            assertThat(page.read().page().field(PageField.DISRUPTION_MARKER)).isEqualTo(m0 + 2);
            assertThat(t.guest().read().page().field(PageField.DISRUPTION_MARKER)).as("the guest's read after the restore")
                    .isEqualTo(m0 + 2);
            try (Sibling fresh = t.freshMachine()) {
                fresh.reset();
                assertThat(new HostPageReader(fresh.hostMemory(), where).read().page().field(PageField.DISRUPTION_MARKER))
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void anAdapterPathThatIsNotExecutableIsBadInput(@TempDir Path dir) throws Exception {
        Path plain = Files.writeString(dir.resolve("adapter"), "#!/bin/sh\n");
        HarnessException e = catchThrowableOfType(() -> VmmProvider.named("exec:" + plain)
                .resolve(options("exec:" + plain, dir)), HarnessException.class);
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e).hasMessageContaining("chmod +x");
    }

    @Test
    void aBuiltInOnlyOptionIsBadInputBeforeTheAdapterStarts(@TempDir Path dir) {
        Path missing = dir.resolve("never-started");
        Map<String, String> p = Map.of("vmclock.vmm", "exec:" + missing, "vmclock.hopTo", "/usr/bin/qemu-system-x86_64");
        HarnessException e = catchThrowableOfType(() -> VmmProvider.named("exec:" + missing)
                .resolve(TargetOptions.from(k -> Optional.ofNullable(p.get(k)))), HarnessException.class);
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        // The adapter's path does not exist: the option is refused first, before any attempt to start it.
        assertThat(e).hasMessageContaining("--hop-to is an option of the built-in QEMU provider");
    }
}
