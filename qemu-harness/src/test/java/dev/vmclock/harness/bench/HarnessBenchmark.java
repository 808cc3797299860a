package dev.vmclock.harness.bench;

import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.qemu.Machine;
import dev.vmclock.harness.events.MigrationTransport;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuVm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * Prints harness timings on this machine (TCG, q35, 256 MiB, firmware only). Not a test: run it with
 * {@code qemu-harness/bench.sh}. Figures: QEMU start to QMP ready, host page read, and each event.
 */
public final class HarnessBenchmark {

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        QemuBinary qemu = QemuBinary.locate(null).requireVmclock();
        MachineSpec spec = MachineSpec.builder().build();
        System.out.printf("%s, q35, tcg, 256 MiB, firmware only, %d rounds%n", qemu, rounds);

        List<Double> start = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            try (QemuVm vm = QemuVm.start(qemu, spec)) {
                start.add(vm.startupTime().toNanos() / 1e6);
            }
        }
        print("QEMU start to QMP ready", start);

        try (Machine m = Machine.start(qemu, spec)) {
            m.readPage();
            List<Double> reads = new ArrayList<>();
            for (int i = 0; i < 50 * rounds; i++) {
                long t0 = System.nanoTime();
                m.readPage();
                reads.add((System.nanoTime() - t0) / 1e6);
            }
            print("host page read (seqlock, pmemsave)", reads);

            List<Double> save = new ArrayList<>();
            List<Double> load = new ArrayList<>();
            List<Double> unix = new ArrayList<>();
            List<Double> tcp = new ArrayList<>();
            List<Double> toFile = new ArrayList<>();
            List<Double> fromFile = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                String tag = "b" + i;
                save.add(ms(() -> m.saveSnapshot(tag)));
                load.add(ms(() -> m.loadSnapshot(tag)));
                unix.add(ms(() -> m.liveMigrate(MigrationTransport.UNIX)));
                tcp.add(ms(() -> m.liveMigrate(MigrationTransport.TCP)));
                Path f = m.newStateFile();
                toFile.add(ms(() -> m.saveToFile(f)));
                fromFile.add(ms(() -> m.restoreFromFile(f)));
            }
            print("savevm (snapshot-save job)", save);
            print("loadvm (snapshot-load job)", load);
            print("live migration, unix socket (incl. target start)", unix);
            print("live migration, tcp loopback (incl. target start)", tcp);
            print("save to file", toFile);
            print("restore from file (incl. fresh QEMU start)", fromFile);
        }
    }

    private static double ms(Supplier<EventResult> event) {
        return event.get().elapsed().toNanos() / 1e6;
    }

    static void print(String what, List<Double> samples) {
        List<Double> s = new ArrayList<>(samples);
        Collections.sort(s);
        System.out.printf("%-52s n=%-4d median %8.2f ms   p99 %8.2f ms   max %8.2f ms%n", what, s.size(),
                s.get(s.size() / 2), s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * 0.99) - 1)),
                s.get(s.size() - 1));
    }
}
