package dev.vmclock.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.cli.CapabilityTable.Cell;
import dev.vmclock.cli.CapabilityTable.Column;
import dev.vmclock.cli.CapabilityTable.Data;
import dev.vmclock.cli.CapabilityTable.Kind;
import dev.vmclock.conformance.Verdict;
import dev.vmclock.conformance.run.ClauseResult;
import dev.vmclock.conformance.run.TestOutcome;
import dev.vmclock.conformance.spec.ClauseEntry;
import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.conformance.vm.VmmProfile;
import dev.vmclock.conformance.vm.VmmProvider;
import dev.vmclock.harness.Device;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The README's capability table against the stored classification (measuring it takes four suite runs, so the
 * build checks the data and the rendering instead; {@link CapabilityTable#REFRESH} measures again).
 */
class CapabilityTableTest {

    private static final Path ROOT = Path.of("..");
    private static final SpecMap SPEC = SpecMap.load();

    private static Data stored() throws IOException {
        return Data.parse(Files.readString(ROOT.resolve(CapabilityTable.DATA), StandardCharsets.UTF_8));
    }

    private static VmmProfile profile(String provider) {
        return VmmProvider.named(provider).profile();
    }

    @Test
    void readmeTableIsWhatTheStoredDataAndTheProfilesRender() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        assertThat(CapabilityTable.current(readme)).as("README.md's table; refresh: %s", CapabilityTable.REFRESH)
                .isEqualTo(CapabilityTable.render(stored(), CapabilityTableTest::profile));
    }

    @Test
    void dataHasEveryClauseOfSpecMapAndNoOther() throws IOException {
        Data d = stored();
        assertThat(d.clauses().keySet()).as("clauses in the data; refresh: %s", CapabilityTable.REFRESH)
                .containsExactlyElementsOf(SPEC.clauses().stream().map(ClauseEntry::id).toList());
        // A clause that gained or lost its checks since the measurement shows as a stale NO_CHECK.
        for (ClauseEntry c : SPEC.clauses()) {
            assertThat(d.clauses().get(c.id())).as("%s (checks: %s)", c.id(), c.tests())
                    .allMatch(cell -> (cell.kind() == Kind.NO_CHECK) == c.tests().isEmpty());
        }
    }

    @Test
    void columnsAreTheCommandsAndStandInsHaveTheirProvidersCurrentShape() throws IOException {
        List<Column> cols = stored().columns();
        assertThat(cols.stream().map(c -> new CapabilitiesCommand.Planned(c.key(), c.title(), c.provider(),
                c.standIn())).toList()).isEqualTo(CapabilitiesCommand.COLUMNS);
        for (Column c : cols.stream().filter(Column::standIn).toList()) {
            VmmProfile p = profile(c.provider());
            assertThat(c.hidden()).as("%s hidden; refresh: %s", c.title(), CapabilityTable.REFRESH)
                    .isEqualTo(p.lacking());
            assertThat(c.devices()).as("%s devices", c.title()).containsExactlyInAnyOrderElementsOf(p.devices());
        }
    }

    @Test
    void dataRoundTrips() throws IOException {
        Data d = stored();
        assertThat(Data.parse(d.format())).isEqualTo(d);
    }

    private static ClauseResult result(String id, Verdict v, String... messages) {
        List<TestOutcome> tests = Arrays.stream(messages).map(m -> new TestOutcome("p", "T", "m" + m.hashCode(),
                List.of(id), v, m, Duration.ZERO, Optional.empty())).toList();
        return new ClauseResult(SPEC.get(id), v, tests);
    }

    private static ClauseEntry withTests(String prefix) {
        return SPEC.clauses(prefix).stream().filter(c -> !c.tests().isEmpty()).findFirst().orElseThrow();
    }

    @Test
    void classifiesTheDeviceBeforeTheCapabilityBeforeTheImplementation() {
        ClauseEntry vmc = withTests("VMC");
        List<Device> both = List.of(Device.VMCLOCK, Device.VIRTIO_RTC);
        String cap = "the target cannot read guest memory from the host (capability HOST_MEMORY)";
        String snap = "the target cannot save and load snapshots (capability SNAPSHOT)";
        String flag = "flag VM_GEN_COUNTER_PRESENT (bit 8) is not advertised (flags = 0x0)";

        assertThat(CapabilityTable.classify(vmc, Optional.of(result(vmc.id(), Verdict.NOT_APPLICABLE, cap, flag)),
                List.of(Device.VIRTIO_RTC))).isEqualTo(Cell.of(Kind.DEVICE, "VMCLOCK"));
        assertThat(CapabilityTable.classify(vmc, Optional.of(result(vmc.id(), Verdict.NOT_APPLICABLE, snap, flag,
                cap)), both)).isEqualTo(Cell.of(Kind.CAPABILITY, "HOST_MEMORY", "SNAPSHOT"));
        assertThat(CapabilityTable.classify(vmc, Optional.of(result(vmc.id(), Verdict.NOT_APPLICABLE, flag)), both))
                .isEqualTo(Cell.of(Kind.IMPLEMENTATION));
        // A VRTC clause that compares with VMClock names the VMClock device it lacks.
        ClauseEntry vrtc = withTests("VRTC");
        assertThat(CapabilityTable.classify(vrtc, Optional.of(result(vrtc.id(), Verdict.NOT_APPLICABLE,
                "the target has no VMClock device")), List.of(Device.VIRTIO_RTC)))
                .isEqualTo(Cell.of(Kind.DEVICE, "VMCLOCK"));
        assertThat(CapabilityTable.classify(vmc, Optional.of(result(vmc.id(), Verdict.FAIL, "x")), both))
                .isEqualTo(Cell.of(Kind.JUDGED));
    }

    @Test
    void refusesAnErrorAndAClauseWhoseChecksDidNotRun() {
        ClauseEntry vmc = withTests("VMC");
        assertThatThrownBy(() -> CapabilityTable.classify(vmc, Optional.of(result(vmc.id(), Verdict.ERROR, "boom")),
                List.of(Device.VMCLOCK))).hasMessageContaining("ERRORed: boom");
        assertThatThrownBy(() -> CapabilityTable.classify(vmc, Optional.empty(), List.of(Device.VMCLOCK)))
                .hasMessageContaining("none ran");
    }

    @Test
    void standInSaysDependsWhereTheImplementationSaysNotApplicable() {
        Column standIn = new Column("firecracker", "Firecracker", "firecracker", true, "QEMU", java.util.Set.of(),
                List.of(Device.VMCLOCK));
        Column itself = new Column("qemu-11.1", "QEMU 11.1", "qemu", false, "QEMU", java.util.Set.of(),
                List.of(Device.VMCLOCK));
        Cell impl = Cell.of(Kind.IMPLEMENTATION);
        assertThat(CapabilityTable.text(impl, standIn, profile("firecracker")))
                .isEqualTo("depends on what the device advertises");
        assertThat(CapabilityTable.text(impl, itself, profile("qemu"))).startsWith("NA:");
        assertThat(CapabilityTable.text(Cell.of(Kind.CAPABILITY, "LIVE_MIGRATION"), standIn, profile("firecracker")))
                .isEqualTo("NA: `LIVE_MIGRATION` (no live migration)");
    }

    @Test
    void replacingTheBlockKeepsWhatSurroundsIt() {
        String readme = "a\n" + CapabilityTable.BEGIN + "\nold\n" + CapabilityTable.END + "\nb\n";
        String next = CapabilityTable.replace(readme, "new\n");
        assertThat(next).isEqualTo("a\n" + CapabilityTable.BEGIN + "\nnew\n" + CapabilityTable.END + "\nb\n");
        assertThat(CapabilityTable.current(next)).isEqualTo("new\n");
        assertThatThrownBy(() -> CapabilityTable.replace("no markers", "x")).hasMessageContaining(CapabilityTable.BEGIN);
    }

    @Test
    void compactGroupsIdsByArea() {
        assertThat(CapabilityTable.compact(List.of("VMC-SEQ-01", "VMC-SEQ-05", "VRTC-OP-10", "VMC-SEQ-02")))
                .isEqualTo("VMC-SEQ-01, 05, 02; VRTC-OP-10");
    }
}
