package dev.vmclock.harness.bench;

import dev.vmclock.harness.acpi.AcpiTables;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.qemu.Machine;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuBinary;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints read timings of guest RAM through the RAM file against QMP pmemsave (TCG, q35, 256 MiB, firmware only,
 * RAM in a shared memory-backend-file). Not a test: run it with {@code qemu-harness/bench.sh ramfile [ROUNDS]}.
 */
public final class RamFileBenchmark {

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        QemuBinary qemu = QemuBinary.locate(null).requireVmclock();
        System.out.printf("%s, q35, tcg, 256 MiB in a memory-backend-file, firmware only, %d rounds%n", qemu, rounds);
        try (Machine m = Machine.start(qemu, MachineSpec.builder().ramFile(true).build())) {
            m.pageLocation(); // waits for the firmware's tables
            PhysicalMemory file = m.ramFileMemory();
            PhysicalMemory pmemsave = m.hostMemory();
            long table = AcpiTables.read(pmemsave).orElseThrow().tables().get(0).address() & ~0xfffL;
            for (var view : List.of(new Object[] {"file", file}, new Object[] {"pmemsave", pmemsave})) {
                String name = (String) view[0];
                PhysicalMemory mem = (PhysicalMemory) view[1];
                HarnessBenchmark.print("4 KiB RAM read, " + name, times(50 * rounds, () -> mem.read(table, 4096)));
                HarnessBenchmark.print("ACPI table walk (RSDP area + tables), " + name,
                        times(5 * rounds, () -> AcpiTables.read(mem).orElseThrow()));
                HarnessBenchmark.print("16 MiB RAM read, " + name, times(rounds, () -> mem.read(0x1000000, 16 << 20)));
            }
        }
    }

    private static List<Double> times(int n, Runnable read) {
        read.run(); // warm: class loading, the file's first open
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            read.run();
            out.add((System.nanoTime() - t0) / 1e6);
        }
        return out;
    }
}
