package dev.vmclock.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.harness.memory.PmemsaveMemory;
import dev.vmclock.harness.page.*;
import dev.vmclock.harness.qemu.*;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void smoke() {
        QemuBinary bin = QemuBinary.locate(null).requireVmclock();
        try (QemuVm vm = QemuVm.start(bin, MachineSpec.builder().build())) {
            var mem = new PmemsaveMemory(vm.qmp(), vm.runDirectory().path());
            long t = System.nanoTime();
            var devs = PageLocator.vmclockDevices(mem, Duration.ofSeconds(5));
            System.out.println("devices " + devs + " in " + (System.nanoTime() - t) / 1e6 + " ms, startup " + vm.startupTime());
            var loc = PageLocator.locate(mem, Duration.ofSeconds(5));
            var r = new HostPageReader(mem, loc).read();
            System.out.println(loc + " " + r);
        }
    }
}
