package dev.vmclock.conformance.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.run.TestOutcome;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.harness.guest.AgentTransport;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole suite with the agent over hybrid vsock (vhost-user-vsock-pci + vhost-device-vsock) judges QEMU as over
 * virtio-serial, except what vhost-user-vsock takes away: QEMU cannot save or migrate such a machine, so the clauses
 * those capabilities gate are NOT_APPLICABLE saying why. Which clauses those are is not assumed: a virtio-serial run
 * with the same capabilities hidden ({@code --without}) is the oracle, and the vsock run must match it clause by clause.
 */
@ExtendWith(GuestSlots.class)
class VsockAgentTest {

    @Test
    void vsockGivesTheVirtioSerialVerdictsLessWhatMigrationGates() {
        TargetOptions serial = TargetOptions.defaults().with(b -> b.accel("tcg"));
        Set<Capability> taken = EnumSet.of(Capability.SNAPSHOT, Capability.LIVE_MIGRATION, Capability.FILE_RESTORE);
        assertThat(QemuTarget.UNMIGRATABLE).containsAll(taken);

        SuiteRun overSerial = SuiteRunner.run(serial, Set.of(), t -> { });
        SuiteRun withoutMigration = SuiteRunner.run(serial.with(b -> b.without(taken)), Set.of(), t -> { });
        SuiteRun overVsock = SuiteRunner.run(serial.with(b -> b.agentTransport(AgentTransport.VSOCK)), Set.of(), t -> { });

        // Each distinct ERROR message once, so that a failure says why (every check ERRORs alike when the boot fails).
        assertThat(overVsock.tests().stream().filter(t -> t.verdict() == Verdict.ERROR).collect(Collectors.toMap(
                t -> String.valueOf(t.message()), t -> t.method() + ": " + t.message(), (a, b) -> a, TreeMap::new)).values())
                .as("errors over vsock").isEmpty();
        assertThat(overVsock.configuration()).containsEntry("vmclock.agentTransport", "vsock");
        // The guest was reached: a check that reads the page in the guest passed over vsock.
        assertThat(overVsock.tests()).filteredOn(t -> t.method().equals("magicSeenInGuestMatchesHostPage"))
                .extracting(TestOutcome::verdict).containsExactly(Verdict.PASS);

        Map<String, Verdict> vsock = verdicts(overVsock);
        assertThat(vsock).as("per clause, vsock against virtio-serial without " + taken)
                .isEqualTo(verdicts(withoutMigration)).hasSize(overSerial.clauses().size());

        Set<String> changed = verdicts(overSerial).entrySet().stream()
                .filter(e -> e.getValue() != vsock.get(e.getKey())).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        assertThat(changed).as("clauses the migration capabilities gate").contains("VMC-DISRUPT-01", "VMC-CONT-01");
        for (String id : changed) {
            ClauseResult c = overVsock.clause(id).orElseThrow();
            assertThat(c.verdict()).as(id).isEqualTo(Verdict.NOT_APPLICABLE);
            // A clause's first reason may be another test's; the one that changed names the transport.
            assertThat(c.tests()).as(id).anyMatch(t -> t.verdict() == Verdict.NOT_APPLICABLE
                    && t.message().contains("vhost-user-vsock, the agent's transport"));
        }
        System.out.printf("vsock: %d clauses, %d changed from virtio-serial (all NOT_APPLICABLE): %s%n",
                vsock.size(), changed.size(), changed);
    }

    private static Map<String, Verdict> verdicts(SuiteRun run) {
        Map<String, Verdict> byClause = new TreeMap<>();
        for (ClauseResult c : run.clauses()) {
            byClause.put(c.clause().id(), c.verdict());
        }
        return byClause;
    }
}
