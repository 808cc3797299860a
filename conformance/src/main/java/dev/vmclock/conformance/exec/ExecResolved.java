package dev.vmclock.conformance.exec;

import dev.vmclock.conformance.vm.Implementation;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.adapter.AdapterHello;
import dev.vmclock.harness.adapter.AdapterProcess;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An adapter started and greeted, the devices and guest image chosen: what {@link ExecTarget} runs on. */
record ExecResolved(TargetOptions options, AdapterProcess adapter, Implementation implementation, List<Device> devices,
                    GuestImage guestImage, Path evidenceDir) implements ResolvedTarget {

    static AdapterProcess startAdapter(TargetOptions o) {
        Path path = Path.of(o.vmm().substring(ExecProvider.PREFIX.length()));
        return AdapterProcess.start(path, List.of(), Optional.empty());
    }

    static ExecResolved resolve(TargetOptions o) {
        // Options the built-in provider implements with QEMU itself: silently judging without them would mislead.
        o.hopTo().ifPresent(h -> {
            throw builtInOnly(o, "--hop-to");
        });
        o.clock().ifPresent(c -> {
            throw builtInOnly(o, "--reference-clock");
        });
        AdapterProcess a = startAdapter(o);
        try {
            AdapterHello h = a.hello();
            List<Device> devices = new ArrayList<>();
            if (o.vmclock()) {
                devices.add(offered(a, Device.VMCLOCK, "vmclock"));
            }
            if (o.virtioRtc().orElse(false)) {
                devices.add(offered(a, Device.VIRTIO_RTC, "virtio-rtc"));
            }
            GuestImage image = o.kernel().isPresent()
                    ? GuestImage.of(o.kernel().get(), o.initrd().orElse(null)) : new GuestImageBuilder().ensureBuilt();
            AdapterHello.Implementation i = h.implementation();
            Map<String, String> details = new LinkedHashMap<>(i.details());
            details.put("adapter", a.path().toString());
            details.put("protocol", h.protocol());
            Implementation impl = new Implementation(i.vmm(), i.version(), i.path(),
                    i.where().equals("host") ? "local" : i.where(), i.machine(), i.accelerator(), i.acceleratorReason(),
                    details, Optional.empty());
            Path evidence = o.evidenceDir().orElseGet(ExecResolved::newEvidenceDir);
            return new ExecResolved(o, a, impl, List.copyOf(devices), image, evidence);
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    private static HarnessException builtInOnly(TargetOptions o, String option) {
        return new HarnessException(ExitCode.USAGE, "--vmm " + o.vmm() + ": " + option + " is an option of the built-in"
                + " QEMU provider (--vmm qemu), not of adapters (protocol v1); drop it or use --vmm qemu");
    }

    private static Device offered(AdapterProcess a, Device device, String name) {
        if (!a.hello().devices().contains(name)) {
            a.close();
            throw new HarnessException(ExitCode.USAGE, "--vmm exec:" + a.path() + ": the adapter gives no " + name
                    + " device (it gives: " + String.join(", ", a.hello().devices()) + ")");
        }
        return device;
    }

    private static Path newEvidenceDir() {
        try {
            return Files.createTempDirectory("vmclock-exec-evidence-");
        } catch (IOException e) {
            throw new HarnessException(ExitCode.OUTPUT_NOT_WRITABLE, "cannot create an evidence directory: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<GuestImage> image() {
        return Optional.of(guestImage);
    }

    @Override
    public String describe() {
        return implementation.describe() + " via " + adapter.path().getFileName() + " " + options.describe();
    }

    @Override
    public VmTarget open() {
        return new ExecTarget(this);
    }
}
