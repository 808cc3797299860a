package dev.vmclock.conformance.virtiortc;

import dev.vmclock.harness.qemu.DebianQemuImage;
import dev.vmclock.harness.qemu.DebianSuite;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.vm.TargetDecorator;
import dev.vmclock.conformance.vm.TargetOptions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Runs the VRTC area through the Launcher, as {@code run --select VRTC} does, against the 11.1 image. */
final class VrtcRun {

    /**
     * A QEMU with virtio-rtc-pci: {@code -Dvmclock.rtcImage=TAG}, else Debian trixie-backports' QEMU 11.1 as the
     * project builds it (once per Docker host), so the checks run against a real device, in CI too.
     */
    static String image() {
        return Optional.ofNullable(System.getProperty("vmclock.rtcImage")).filter(s -> !s.isBlank())
                .orElseGet(() -> DebianQemuImage.shipped().ensureBuilt(DebianSuite.TRIXIE_BACKPORTS));
    }

    /**
     * The device-level areas of the VRTC section: not GUEST, whose checks boot a guest (VirtioRtcGuestFaultTest
     * judges them), so a run needs no guest and costs one guest-less QEMU.
     */
    static final Set<String> DEVICE_LEVEL = Set.of("VRTC-ID", "VRTC-FEAT", "VRTC-VQ", "VRTC-VIRTIO", "VRTC-OP",
            "VRTC-CTRL", "VRTC-READ", "VRTC-ALARM", "VRTC-ALREQ", "VRTC-NOTIF", "VRTC-DRV");

    /** The device-level areas on the image's QEMU, its device bus wrapped by {@code device} (a broken device, or none). */
    static SuiteRun run(TargetDecorator device) {
        TargetOptions options = TargetOptions.defaults().with(b -> b.container(image()).virtioRtc(Optional.of(false)));
        return SuiteRunner.run(options, device, DEVICE_LEVEL, o -> { });
    }

    /** The VRTC area on this machine's own QEMU (10.0: no virtio-rtc-pci). */
    static SuiteRun runOnHost() {
        return SuiteRunner.run(TargetOptions.defaults(), Set.of("VRTC"), o -> { });
    }

    static List<String> ids(SuiteRun run, Verdict v) {
        return run.ids(v).stream().filter(id -> id.startsWith("VRTC-")).toList();
    }

    static String describe(SuiteRun run, Verdict v) {
        List<ClauseResult> rs = run.clauses().stream().filter(c -> c.verdict() == v && c.clause().id().startsWith("VRTC-"))
                .toList();
        return rs.stream().map(c -> c.clause().id() + " (" + c.reason().replaceAll("\\s+", " ") + ")")
                .collect(Collectors.joining("\n  "));
    }

    private VrtcRun() {
    }
}
