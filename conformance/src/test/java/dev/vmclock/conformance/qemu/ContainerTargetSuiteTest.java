package dev.vmclock.conformance.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.harness.qemu.HostQemuImage;
import dev.vmclock.harness.qemu.QemuBinary;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The suite judges a QEMU in a container exactly as the same QEMU run locally: a few areas (page layout,
 * disruption: boot, snapshots, live migration, restores) run both ways give the same verdicts.
 */
@ExtendWith(GuestSlots.class)
class ContainerTargetSuiteTest {

    private static final Set<String> AREAS = Set.of("LAYOUT", "DISRUPT");

    @Test
    void containerTargetGivesTheLocalVerdicts() {
        String image = HostQemuImage.ensureBuilt(QemuBinary.locate(null));
        SuiteRun local = SuiteRunner.run(TargetOptions.defaults().with(b -> b.accel("tcg")), AREAS, t -> { });
        SuiteRun container = SuiteRunner.run(TargetOptions.defaults().with(b -> b.accel("tcg").container(image)),
                AREAS, t -> { });

        assertThat(container.ids(Verdict.ERROR)).as("errors in the container run").isEmpty();
        assertThat(verdicts(container)).isEqualTo(verdicts(local)).isNotEmpty();
        assertThat(container.ids(Verdict.PASS)).as("clauses that passed").isNotEmpty();
    }

    private static Map<String, Verdict> verdicts(SuiteRun run) {
        Map<String, Verdict> byClause = new TreeMap<>();
        for (ClauseResult c : run.clauses()) {
            byClause.put(c.clause().id(), c.verdict());
        }
        return byClause;
    }
}
