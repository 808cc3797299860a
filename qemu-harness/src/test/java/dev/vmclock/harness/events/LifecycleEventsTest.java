package dev.vmclock.harness.events;

import dev.vmclock.harness.qemu.Machine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.PageLocation;
import dev.vmclock.harness.page.VmclockPage;
import dev.vmclock.harness.qemu.MachineSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each lifecycle event once against real QEMU (no guest OS: firmware only), with the page read before
 * and after. The expectations are QEMU's measured behaviour (FACTS.md), so a change in QEMU shows here.
 */
class LifecycleEventsTest {

    private Machine machine;

    @BeforeEach
    void start() {
        machine = Machine.start(Qemu.binary(), MachineSpec.builder().build());
    }

    @AfterEach
    void stop() {
        machine.close();
    }

    @Test
    void pageIsFoundThroughAcpiCrs() {
        assertThat(machine.pageLocation()).isEqualTo(new PageLocation(0xfeffb000L, 0x1000, PageLocation.Source.ACPI_CRS));
        VmclockPage page = machine.readPage().page();
        assertThat(page.magicIsValid()).isTrue();
        assertThat(page.size()).isEqualTo(0x1000);
        assertThat(page.seqCount() % 2).isZero();
    }

    @Test
    void pauseAndResumeChangeNothing() {
        Observed paused = observe(machine::pause);
        assertThat(machine.vm().runState()).isEqualTo("paused");
        Observed resumed = observe(machine::resume);
        assertThat(machine.vm().runState()).isEqualTo("running");
        assertThat(paused.changed()).isEmpty();
        assertThat(resumed.changed()).isEmpty();
    }

    @Test
    void savevmChangesNothingAndLoadvmBumpsMarker() {
        Observed saved = observe(() -> machine.saveSnapshot("s1"));
        assertThat(saved.changed()).isEmpty();
        assertThat(saved.result().how()).contains("snapshot-save");

        Observed loaded = observe(() -> machine.loadSnapshot("s1"));
        assertThat(loaded.changed()).containsExactly(PageField.SEQ_COUNT, PageField.DISRUPTION_MARKER);
        assertThat(loaded.after().seqCount()).isEven().isGreaterThan(loaded.before().seqCount());

        Observed deleted = observe(() -> machine.deleteSnapshot("s1"));
        assertThat(deleted.changed()).isEmpty();
    }

    @Test
    void liveMigrationOverUnixSocketBumpsMarker() {
        long sourcePid = machine.vm().pid();
        Observed migrated = observe(() -> machine.liveMigrate(MigrationTransport.UNIX));
        assertThat(machine.vm().pid()).isNotEqualTo(sourcePid);
        assertThat(ProcessHandle.of(sourcePid)).isEmpty();
        assertThat(migrated.after().disruptionMarker()).isNotEqualTo(migrated.before().disruptionMarker());
        assertThat(migrated.changed()).containsExactly(PageField.SEQ_COUNT, PageField.DISRUPTION_MARKER);
    }

    @Test
    void liveMigrationOverTcpLoopbackBumpsMarker() {
        Observed migrated = observe(() -> machine.liveMigrate(MigrationTransport.TCP));
        assertThat(migrated.result().how()).contains("tcp");
        assertThat(migrated.changed()).containsExactly(PageField.SEQ_COUNT, PageField.DISRUPTION_MARKER);
    }

    @Test
    void restoreFromFileBumpsMarkerAndSiblingRestoresAgree() {
        VmclockPage before = machine.readPage().page();
        Path state = machine.newStateFile();
        EventResult saved = machine.saveToFile(state);
        assertThat(saved.event()).isEqualTo(LifecycleEvent.SAVE_TO_FILE);
        assertThat(machine.vm().runState()).isEqualTo("postmigrate");

        Observed restored = observe(() -> machine.restoreFromFile(state));
        assertThat(restored.after().disruptionMarker()).isNotEqualTo(before.disruptionMarker());
        try (Machine sibling = Machine.restore(Qemu.binary(), machine.spec(), state)) {
            // QEMU derives the new marker from the saved one, so two restores of one file agree.
            assertThat(sibling.readPage().page().disruptionMarker()).isEqualTo(restored.after().disruptionMarker());
        }
    }

    @Test
    void systemResetChangesNothing() {
        Observed reset = observe(machine::systemReset);
        assertThat(reset.changed()).isEmpty();
    }

    private record Observed(VmclockPage before, EventResult result, VmclockPage after) {
        java.util.List<PageField> changed() {
            return before.changedFields(after);
        }
    }

    private Observed observe(Supplier<EventResult> event) {
        VmclockPage before = machine.readPage().page();
        EventResult result = event.get();
        assertThat(result.elapsed()).isLessThan(Duration.ofSeconds(60));
        return new Observed(before, result, machine.readPage().page());
    }
}
