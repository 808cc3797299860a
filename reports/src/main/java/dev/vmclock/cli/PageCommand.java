package dev.vmclock.cli;

import dev.vmclock.harness.qemu.QemuGuest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vmclock.conformance.qemu.QemuProvider;
import dev.vmclock.conformance.qemu.TargetConfig;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.qemu.Machine;
import dev.vmclock.harness.guest.GuestSession;
import dev.vmclock.harness.page.PageLocation;
import dev.vmclock.harness.page.SeqlockRead;
import dev.vmclock.harness.page.VmclockPage;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.images.GuestImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code page}: start a target (firmware only, or with {@code --guest} the guest image) and print the VMClock page. */
@Command(name = "page", sortOptions = false, abbreviateSynopsis = true, description = {
        "Start a target, print the VMClock page as the host sees it (found through"
        + " ACPI _CRS, read under the seq_count protocol)."})
final class PageCommand implements Callable<Integer> {

    @Option(names = "--json", description = "print the page as JSON")
    boolean asJson;

    @Option(names = "--out", paramLabel = "DIR", description = "also write DIR/page.bin and DIR/page.json")
    Path outDir;

    @Option(names = "--guest", description = "boot the guest image too: host view, guest read() and guest mmap()"
            + " side by side, differences marked with '!'")
    boolean guest;

    @Mixin
    TargetArgs target;

    @Mixin
    HelpOption help;

    private final PrintStream out;
    private final PrintStream err;

    PageCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (!target.vmm.equals(QemuProvider.NAME)) {
            // page starts a QEMU machine of its own; any other VMM's page is read by the suite (run --select LAYOUT)
            throw Main.usage("page reads the page of a QEMU machine; for --vmm " + target.vmm + " run the suite: run --vmm "
                    + target.vmm + " --select LAYOUT");
        }
        Optional<Path> outDir = Optional.ofNullable(this.outDir);
        outDir.ifPresent(Main::prepareOutput);
        // The VMClock page only: the machine gets no virtio-rtc even where QEMU has it.
        TargetConfig t = TargetConfig.resolve(target.options().with(b -> b.virtioRtc(Optional.of(false))),
                guest ? TargetConfig.GuestNeed.BOOT : TargetConfig.GuestNeed.NONE);
        if (guest) {
            return guestPage(t, asJson, outDir);
        }
        try (Machine m = Machine.start(t.qemu(), spec(t))) {
            PageLocation where = m.pageLocation();
            SeqlockRead read = m.readPage();
            Map<String, Object> doc = pageDocument(t, where, read);
            String text = json(doc);
            if (outDir.isPresent()) {
                write(outDir.get().resolve("page.bin"), read.page().raw());
                write(outDir.get().resolve("page.json"), text.getBytes());
            }
            if (asJson) {
                out.println(text);
            } else {
                out.printf("%s, machine %s, accel %s%n", t.qemu(), t.machine(), t.accelerator());
                out.printf("page at %s, read in %.2f ms with %d retries%n", where, read.elapsed().toNanos() / 1e6,
                        read.retries());
                read.page().describe().forEach((k, v) -> out.printf("  %-40s %s%n", k, v));
            }
        }
        return ExitCode.OK.code();
    }

    /** Host view, guest read() and guest mmap() of one booted guest, field by field. */
    private int guestPage(TargetConfig t, boolean asJson, Optional<Path> outDir) {
        GuestImage image = t.guestImage();
        try (QemuGuest guest = QemuGuest.boot(t.qemu(), spec(t), image)) {
            VmclockPage host = guest.machine().readPage().page();
            if (!guest.version().devicePresent()) {
                err.printf("vmclock-conformance: the guest found no VMClock device (no /dev/vmclock0) on machine %s:"
                        + " QEMU runs the device but the guest cannot discover it (run the suite: VMC-ACPI-05)%n",
                        t.machine());
                return ExitCode.GATE_FAILED.code();
            }
            VmclockPage read = guest.read().page();
            VmclockPage mapped = guest.mmap().page();
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("qemu", Map.of("path", t.qemu().path().toString(), "version", t.qemu().version().toString()));
            doc.put("guest", Map.of("kernel", String.valueOf(image.kernelRelease()), "boot_ms", guest.bootTime().toMillis()));
            doc.put("location", guest.machine().pageLocation().toString());
            Map<String, Object> fields = new LinkedHashMap<>();
            List<String> differing = new ArrayList<>();
            Map<String, String> h = host.describe();
            Map<String, String> r = read.describe();
            Map<String, String> m = mapped.describe();
            for (String f : h.keySet()) {
                boolean same = h.get(f).equals(r.get(f)) && h.get(f).equals(m.get(f));
                if (!same) {
                    differing.add(f);
                }
                fields.put(f, Map.of("host", h.get(f), "read", r.get(f), "mmap", m.get(f)));
            }
            doc.put("fields", fields);
            doc.put("differing", differing);
            String text = json(doc);
            if (outDir.isPresent()) {
                write(outDir.get().resolve("page-guest.json"), text.getBytes());
            }
            if (asJson) {
                out.println(text);
            } else {
                out.printf("%s, machine %s, accel %s, guest kernel %s, booted in %d ms%n", t.qemu(), t.machine(),
                        t.accelerator(), image.kernelRelease(), guest.bootTime().toMillis());
                out.printf("  %-40s %-22s %-22s %-22s%n", "field", "host", "guest read()", "guest mmap()");
                for (String f : h.keySet()) {
                    out.printf("%s %-40s %-22s %-22s %-22s%n", differing.contains(f) ? "!" : " ", f, h.get(f), r.get(f),
                            m.get(f));
                }
                out.println(differing.isEmpty() ? "host and guest views agree on every field"
                        : differing.size() + " field(s) differ: " + differing);
            }
            return differing.isEmpty() ? ExitCode.OK.code() : ExitCode.GATE_FAILED.code();
        }
    }

    private static Map<String, Object> pageDocument(TargetConfig t, PageLocation where, SeqlockRead read) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("qemu", Map.of("path", t.qemu().path().toString(), "version", t.qemu().version().toString()));
        doc.put("machine", t.machine());
        doc.put("accelerator", Map.of("name", t.accelerator().accelerator().qemuName(), "reason", t.accelerator().reason()));
        doc.put("location", Map.of("address", String.format("0x%x", where.address()),
                "length", String.format("0x%x", where.length()), "source", where.source().name()));
        doc.put("read", Map.of("retries", read.retries(), "elapsed_ns", read.elapsed().toNanos()));
        VmclockPage p = read.page();
        doc.put("fields", p.describe());
        doc.put("hex", p.hex(0x70));
        return doc;
    }

    private static MachineSpec spec(TargetConfig t) {
        return MachineSpec.builder().machineType(t.machine()).accelerator(t.accelerator().accelerator())
                .devices(t.devices()).build();
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw Main.notWritable(file.getParent(), e);
        }
    }

    private static String json(Object doc) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
        } catch (IOException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "cannot render JSON: " + e.getMessage(), e);
        }
    }
}
