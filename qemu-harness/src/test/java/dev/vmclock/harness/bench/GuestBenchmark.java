package dev.vmclock.harness.bench;

import dev.vmclock.harness.qemu.QemuGuest;

import dev.vmclock.harness.guest.GuestSession;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuContainer;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import dev.vmclock.images.VirtioRtcModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Prints guest timings on this machine (TCG, q35, 256 MiB): image build warm (and cold with
 * {@code --cold}), boot to agent-ready, agent round trip. Run with {@code qemu-harness/bench.sh guest}.
 * {@code --virtio-rtc QEMU_IMAGE KBUILD_IMAGE}: the image with virtio_rtc.ko (its cold build measured with
 * {@code --cold}), booted on the QEMU of that container image with VMClock and virtio-rtc.
 */
public final class GuestBenchmark {

    public static void main(String[] args) throws Exception {
        int boots = 3;
        List<String> a = List.of(args);
        int rtc = a.indexOf("--virtio-rtc");
        QemuBinary qemu = rtc < 0 ? QemuBinary.locate(null).requireVmclock()
                : QemuBinary.locate(QemuContainer.shared(a.get(rtc + 1), List.of()), null);
        MachineSpec spec = rtc < 0 ? MachineSpec.builder().build()
                : MachineSpec.builder().devices(Device.VMCLOCK, Device.VIRTIO_RTC).build();
        GuestImageBuilder builder = rtc < 0 ? new GuestImageBuilder()
                : new GuestImageBuilder().withVirtioRtc(VirtioRtcModule.STOCK).kbuildImage(a.get(rtc + 2));
        if (a.contains("--cold")) {
            Path tmp = Files.createTempDirectory("vmclock-cold-cache");
            long t0 = System.nanoTime();
            GuestImageBuilder cold = new GuestImageBuilder(tmp);
            (rtc < 0 ? cold : cold.withVirtioRtc(VirtioRtcModule.STOCK).kbuildImage(a.get(rtc + 2))).ensureBuilt();
            System.out.printf("%-52s %8.2f s%n", "image build, cold (downloads included)", (System.nanoTime() - t0) / 1e9);
        }
        GuestImage image = builder.ensureBuilt();
        List<Double> warm = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            builder.ensureBuilt();
            warm.add((System.nanoTime() - t0) / 1e6);
        }
        HarnessBenchmark.print("image build, warm (cache hit, in-JVM)", warm);

        List<Double> boot = new ArrayList<>();
        List<Double> rtt = new ArrayList<>();
        for (int i = 0; i < boots; i++) {
            try (QemuGuest g = QemuGuest.boot(qemu, spec, image)) {
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
