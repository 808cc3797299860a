package dev.vmclock.harness.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.qemu.Machine;
import dev.vmclock.harness.memory.PmemsaveMemory;
import dev.vmclock.harness.qemu.MachineSpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The host plays the hypervisor's writer through qtest while the machine runs; the QMP reader sees it. */
class HypervisorWriterTest {

    @Test
    void updatesFollowTheSeqCountProtocolAndFaultsBreakIt() {
        try (Machine m = Machine.start(Qemu.binary(), MachineSpec.builder().qtest(true).build())) {
            VmclockPage before = m.readPage().page();
            HypervisorWriter hv = m.hypervisor();
            VmclockPage after = hv.update(Map.of(PageField.DISRUPTION_MARKER, 77L, PageField.CLOCK_STATUS, 2L));
            assertThat(after.seqCount()).isEqualTo(before.seqCount() + 2);
            assertThat(m.readPage().page().changedFields(before))
                    .containsExactly(PageField.SEQ_COUNT, PageField.DISRUPTION_MARKER, PageField.CLOCK_STATUS);

            hv.writeWithoutSeqCount(PageField.TIME_SEC, 12345);
            VmclockPage torn = m.readPage().page();
            assertThat(torn.seqCount()).isEqualTo(after.seqCount());
            assertThat(torn.timeSec()).isEqualTo(12345);

            hv.leaveSeqCountOdd();
            HostPageReader impatient = new HostPageReader(new PmemsaveMemory(m.qmp(), m.vm().runDirectory().path()),
                    m.pageLocation(), Duration.ofMillis(100));
            assertThatThrownBy(impatient::read).isInstanceOf(SeqCountStuckException.class);
        }
    }
}
