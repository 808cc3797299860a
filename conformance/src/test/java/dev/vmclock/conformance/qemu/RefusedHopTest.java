package dev.vmclock.conformance.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.vm.TargetOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hop QEMU itself refuses is no verdict on VMClock: the destination here is the host's QEMU started without
 * {@code -device vmclock} (a wrapper drops it from every process it starts; probing still lists the device), so it
 * cannot load the vmclock section of the source's state. Each test that drives a live migration, restore from a
 * file or snapshot load is an ERROR quoting QEMU's own line; nothing FAILs, and the suite goes on (the machine stays
 * on the source: savevm is still judged).
 */
@ExtendWith(GuestSlots.class)
class RefusedHopTest {

    /** Live migration, restore from a file and snapshot load (refused), and savevm (no new process: judged). */
    private static final Set<String> SELECTED = Set.of("VMC-DISRUPT-01", "VMC-DISRUPT-02", "VMC-DISRUPT-03",
            "VMC-DISRUPT-06");

    @Test
    void refusedHopIsAnErrorQuotingQemuNotAFail(@TempDir Path dir) throws IOException {
        Path withoutVmclock = dir.resolve("qemu-system-x86_64");
        Files.writeString(withoutVmclock, """
                #!/bin/bash
                # The host's QEMU, minus -device vmclock: a destination whose machine lacks the device.
                args=()
                while [ $# -gt 0 ]; do
                  if [ "$1" = -device ] && [ "$2" = vmclock ]; then shift 2; continue; fi
                  args+=("$1"); shift
                done
                exec %s "${args[@]}"
                """.formatted(CrossVersionHopTest.HOST_QEMU));
        withoutVmclock.toFile().setExecutable(true);

        SuiteRun run = SuiteRunner.run(TargetOptions.defaults().with(b -> b.qemu(CrossVersionHopTest.HOST_QEMU).accel("tcg")
                .hopTo(withoutVmclock.toString())), SELECTED, t -> { });

        assertThat(run.ids(Verdict.FAIL)).as("FAILs: %s", CrossVersionHopTest.describe(run, Verdict.FAIL)).isEmpty();
        assertThat(run.ids(Verdict.ERROR)).as("ERRORs: %s", CrossVersionHopTest.describe(run, Verdict.ERROR))
                .containsExactlyInAnyOrder("VMC-DISRUPT-01", "VMC-DISRUPT-02", "VMC-DISRUPT-03");
        assertThat(run.clauses()).filteredOn(c -> c.verdict() == Verdict.ERROR).extracting(ClauseResult::reason)
                .allSatisfy(reason -> assertThat(reason).contains("QEMU refused the cross-version hop")
                        .contains("qemu-system-x86_64: ").contains("vmclock"));
        assertThat(run.ids(Verdict.PASS)).containsExactly("VMC-DISRUPT-06");
    }
}
