package dev.vmclock.conformance.virtiortc;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Runs the VRTC area through the Launcher, as {@code run --select VRTC} does, against the 11.1 image. */
final class VrtcRun {

    /** The QEMU 11.1 image: {@code -Dvmclock.rtcImage=TAG} (dev-notes/images.txt names it). */
    static Optional<String> image() {
        return Optional.ofNullable(System.getProperty("vmclock.rtcImage")).filter(s -> !s.isBlank());
    }

    static SuiteRun run(Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(extra);
        image().ifPresent(i -> config.put("vmclock.container", i));
        return SuiteRunner.run(config, Set.of("VRTC"), o -> { });
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
