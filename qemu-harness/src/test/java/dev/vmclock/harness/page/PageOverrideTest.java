package dev.vmclock.harness.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.qemu.Machine;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.PageOverride;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A page written over the device's memory with QEMU's generic loader reads back from the host. */
class PageOverrideTest {

    @Test
    void loaderPageReplacesTheDevicePage(@TempDir Path tmp) throws Exception {
        byte[] bytes = VmclockPageTest.crafted();
        PageField.MAGIC.write(bytes, 0xdeadbeefL);
        PageField.SEQ_COUNT.write(bytes, 7);
        Path file = Files.write(tmp.resolve("page.bin"), bytes);
        MachineSpec spec = MachineSpec.builder()
                .pageOverride(new PageOverride(file, PageLocation.QEMU_DEFAULT.address())).build();
        try (Machine m = Machine.start(Qemu.binary(), spec)) {
            VmclockPage raw = m.hostReader().readRaw();
            assertThat(raw.magic()).isEqualTo(0xdeadbeefL);
            assertThat(raw.seqCount()).isEqualTo(7);
            assertThat(raw.disruptionMarker()).isEqualTo(0x1122334455667788L);
            HostPageReader impatient = new HostPageReader(
                    new dev.vmclock.harness.memory.PmemsaveMemory(m.qmp(), m.vm().runDirectory().path()),
                    m.pageLocation(), Duration.ofMillis(100));
            assertThatThrownBy(impatient::read).isInstanceOfSatisfying(SeqCountStuckException.class,
                    e -> assertThat(e.lastPage().seqCount()).isEqualTo(7));
        }
    }
}
