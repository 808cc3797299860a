package dev.vmclock.harness.bench;

import dev.vmclock.harness.guest.GuestSession;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Prints guest timings on this machine (TCG, q35, 256 MiB): image build warm (and cold with
 * {@code --cold}), boot to agent-ready, agent round trip. Run with {@code qemu-harness/bench.sh guest}.
 */
public final class GuestBenchmark {

    public static void main(String[] args) throws Exception {
        int boots = 3;
        QemuBinary qemu = QemuBinary.locate(null).requireVmclock();
        if (List.of(args).contains("--cold")) {
            Path tmp = Files.createTempDirectory("vmclock-cold-cache");
            long t0 = System.nanoTime();
            new GuestImageBuilder(tmp).ensureBuilt();
            System.out.printf("%-52s %8.2f s%n", "image build, cold (downloads included)", (System.nanoTime() - t0) / 1e9);
        }
        GuestImage image = new GuestImageBuilder().ensureBuilt();
        List<Double> warm = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            new GuestImageBuilder().ensureBuilt();
            warm.add((System.nanoTime() - t0) / 1e6);
        }
        HarnessBenchmark.print("image build, warm (cache hit, in-JVM)", warm);

        List<Double> boot = new ArrayList<>();
        List<Double> rtt = new ArrayList<>();
        for (int i = 0; i < boots; i++) {
            try (GuestSession g = GuestSession.boot(qemu, MachineSpec.builder().build(), image)) {
                boot.add(g.bootTime().toNanos() / 1e6);
                for (int k = 0; k < 200; k++) {
                    long t0 = System.nanoTime();
                    g.ping();
                    rtt.add((System.nanoTime() - t0) / 1e6);
                }
            }
        }
        HarnessBenchmark.print("boot to agent-ready (QEMU start included)", boot);
        HarnessBenchmark.print("agent round trip (ping)", rtt);
        Collections.sort(rtt);
    }
}
