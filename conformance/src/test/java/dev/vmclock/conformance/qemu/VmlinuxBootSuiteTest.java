package dev.vmclock.conformance.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmclock.conformance.GuestSlots;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.conformance.vm.VmmProvider;
import dev.vmclock.images.GuestKernel;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The guest Firecracker and Cloud Hypervisor boot (the built image's ELF vmlinux, entered through PVH) serves the
 * suite as the bzImage does: the whole suite on the host's QEMU under TCG, once each way, gives the same verdict for
 * every clause. The guest itself says how it was entered, so the two runs cannot both have booted one form.
 */
@ExtendWith(GuestSlots.class)
class VmlinuxBootSuiteTest {

    @Test
    void theVmlinuxBootGivesTheBzImageBootsVerdicts() throws Exception {
        ResolvedTarget bz = resolve(GuestKernel.BZIMAGE);
        ResolvedTarget elf = resolve(GuestKernel.VMLINUX);
        assertThat(bz.image().orElseThrow().kernel().getFileName()).hasToString("vmlinuz");
        assertThat(elf.image().orElseThrow().kernel().getFileName()).hasToString("vmlinux");

        // A bzImage loader hands the kernel the image's set-up header ("HdrS"); Linux's PVH entry builds its own
        // boot_params with protocol version 2.12 and no header magic.
        JsonNode bzParams = bootParams(bz);
        assertThat(bzParams.path("header").asBoolean(false)).as("bzImage boot: %s", bzParams).isTrue();
        JsonNode elfParams = bootParams(elf);
        assertThat(elfParams.path("header").isBoolean() && !elfParams.path("header").asBoolean())
                .as("PVH boot: %s", elfParams).isTrue();
        assertThat(elfParams.path("version").asInt()).isEqualTo(0x20c);

        SuiteRun bzRun = SuiteRunner.run(bz, Set.of(), o -> { });
        SuiteRun elfRun = SuiteRunner.run(elf, Set.of(), o -> { });
        System.out.printf("boot_params: bzImage %s, vmlinux %s%nbzImage run %s %s, vmlinux run %s %s%n", bzParams, elfParams,
                bzRun.elapsed(), counts(bzRun), elfRun.elapsed(), counts(elfRun));

        assertThat(bzRun.containerFailure()).isEmpty();
        assertThat(elfRun.containerFailure()).isEmpty();
        assertThat(elfRun.configuration()).containsEntry("vmclock.guestKernel", "vmlinux");
        assertThat(verdicts(elfRun)).isEqualTo(verdicts(bzRun)).isNotEmpty();
        assertThat(elfRun.ids(Verdict.PASS)).as("clauses that passed").isNotEmpty();
    }

    private static ResolvedTarget resolve(GuestKernel form) {
        return VmmProvider.named("qemu").resolve(TargetOptions.defaults().with(b -> b.accel("tcg").guestKernel(form)));
    }

    private static JsonNode bootParams(ResolvedTarget target) throws Exception {
        try (VmTarget t = target.open()) {
            return t.guest().command("version", Map.of()).path("boot_params");
        }
    }

    private static Map<Verdict, Long> counts(SuiteRun run) {
        return new TreeMap<>(run.clauses().stream().collect(java.util.stream.Collectors.groupingBy(ClauseResult::verdict,
                java.util.stream.Collectors.counting())));
    }

    private static Map<String, Verdict> verdicts(SuiteRun run) {
        Map<String, Verdict> byClause = new TreeMap<>();
        for (ClauseResult c : run.clauses()) {
            byClause.put(c.clause().id(), c.verdict());
        }
        return byClause;
    }
}
