package dev.vmclock.conformance.virtiortc;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmmProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the VRTC area through the Launcher against the project's reference virtio-rtc device (a vhost-user back end
 * behind QEMU 11.1's vhost-user-rtc-pci, in the 11.1 image), or against one of its deliberately broken variants
 * ({@code src/test/resources/reference-rtc-faults/broken_rtc.py FAULT}): what {@code run --vhost-user-rtc COMMAND}
 * does. The back end's log ({@code --log -}: its stderr) is kept in each run's evidence.
 */
final class ReferenceRtcRun {

    /** The product's reference device (the module's working directory is {@code conformance/}). */
    static final Path REFERENCE = Path.of(System.getProperty("vmclock.referenceRtc", "reference-rtc/vmclock-reference-rtc"))
            .toAbsolutePath().normalize();
    /** The broken variants: test sources, never product configuration. */
    static final Path BROKEN = Path.of("src/test/resources/reference-rtc-faults/broken_rtc.py").toAbsolutePath().normalize();

    /** The guest-level area: its checks boot one guest per run. */
    static final Set<String> GUEST_LEVEL = Set.of("VRTC-GUEST");

    private ReferenceRtcRun() {
    }

    /** The reference device's command line (split at spaces by the suite, which appends {@code --socket-path SOCK}). */
    static String reference() {
        Assumptions.assumeTrue(Files.isExecutable(REFERENCE), REFERENCE + " is not there");
        return REFERENCE + " --log -";
    }

    /** A broken variant's command line: the reference device with the one rule {@code fault} names broken. */
    static String broken(String fault) {
        Assumptions.assumeTrue(Files.isRegularFile(BROKEN) && Files.isExecutable(REFERENCE), BROKEN + " or " + REFERENCE
                + " is not there");
        return "python3 " + BROKEN + " " + fault + " --reference " + REFERENCE + " --log -";
    }

    /** QEMU 11.1 (the image VrtcRun chooses) with {@code backend} as its virtio-rtc device, under TCG. */
    static ResolvedTarget resolve(String backend) {
        TargetOptions options = TargetOptions.defaults().with(b -> b.container(VrtcRun.image()).vhostUserRtc(backend)
                .accel("tcg"));
        return VmmProvider.named(options.vmm()).resolve(options);
    }

    static SuiteRun run(ResolvedTarget target, Set<String> select) {
        return SuiteRunner.run(target, select, o -> { });
    }

    /** Each VRTC clause with {@code v}, and the reason its checks give. */
    static Map<String, String> reasons(SuiteRun run, Verdict v) {
        return run.clauses().stream().filter(c -> c.verdict() == v && c.clause().id().startsWith("VRTC-"))
                .collect(Collectors.toMap(c -> c.clause().id(), c -> c.reason().replaceAll("\\s+", " "), (a, b) -> a,
                        TreeMap::new));
    }

    static String describe(SuiteRun run, Verdict v) {
        return reasons(run, v).entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                .collect(Collectors.joining("\n  "));
    }
}
