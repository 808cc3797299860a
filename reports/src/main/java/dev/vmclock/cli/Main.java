package dev.vmclock.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.events.Machine;
import dev.vmclock.harness.guest.AgentException;
import dev.vmclock.harness.guest.GuestSession;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageException;
import dev.vmclock.harness.page.PageLocation;
import dev.vmclock.harness.page.SeqlockRead;
import dev.vmclock.harness.page.VmclockPage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ./vmclock-conformance}: the command line. Every failure ends in one line on stderr naming the
 * fix, and an exit code from {@link ExitCode} (documented in the README).
 */
public final class Main {

    static final String USAGE = """
            usage: ./vmclock-conformance <command> [options]

            commands:
              run      run the conformance suite against the target; a line per test, verdicts per clause,
                       DIR/report.json, DIR/index.html and DIR/evidence/
                       (default DIR: ./vmclock-report)
                       [--select IDS] clause ids or areas, comma-separated (VMC-SEQ-03,DISRUPT)
                       [--fail-on must|should] which failures fail the run (default: must)
                       [--out DIR]
                       [--reference-clock good|time-off|rate-off] the harness publishes clock data through
                       qtest (QEMU publishes none), so the clock clauses are exercised; the bad variants
                       show them FAIL
                       [--virtio-rtc] the machine gets a virtio-rtc device too (QEMU >= 11.1) and the guest
                       image virtio_rtc.ko, so the guest-level virtio-rtc clauses (VRTC-GUEST) are checked
                       [--kbuild-image IMAGE] the Docker image virtio_rtc.ko is built in (default: the one
                       the shipped recipe builds for the guest kernel)
              report   RUN_DIR... [--out FILE]: one RUN_DIR regenerates its index.html (or writes FILE);
                       several are compared side by side in one page (default ./vmclock-comparison.html),
                       clauses whose verdicts differ highlighted
              allure   RUN_DIR... [--out DIR] one Allure HTML report (a single file that opens offline) of
                       the Allure results of one or many runs, e.g. a CI matrix over QEMU versions and
                       machines (default DIR: ./vmclock-allure)
              page     start a target, print the VMClock page as the host sees it
                       [--json] [--out DIR] (also writes DIR/page.bin and DIR/page.json)
                       [--guest] boot the guest image too: host view, guest read() and guest mmap()
                       side by side, differences marked with '!'

              doctor   print the QEMU in use, its version, whether it has vmclock, the accelerator and why
              images   list the QEMU container images (host QEMU, Debian suites): built or not, tag, versions
                       [build NAME...] build them: host, bookworm-backports, trixie, trixie-backports, kbuild:ABI
            options for every command:
              --qemu PATH        QEMU system emulator (default: $VMCLOCK_QEMU, else qemu-system-x86_64 on PATH)
              --container IMAGE  run QEMU inside a container of this local Docker image (nothing is pulled);
                                 --qemu is then a path inside the image (default: qemu-system-x86_64 on its PATH)
              --machine TYPE     q35 (default), pc, microvm, none
              --accel MODE       auto (default: KVM only if a Linux guest really boots under it), kvm, tcg
              --kernel FILE --initrd FILE
                                 bring your own guest kernel and initramfs (default: the image guest-images
                                 builds and caches on first use)
            exit codes: 0 ok, 1 gate failed, 2 usage, 3 no QEMU, 4 QEMU without vmclock,
                        5 accelerator unavailable, 6 output not writable, 7 guest image, 10 harness error
            """;

    private final PrintStream out;
    private final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new Main(System.out, System.err).run(Arrays.asList(args)));
    }

    int run(List<String> args) {
        try {
            if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
                out.print(USAGE);
                return args.isEmpty() ? ExitCode.USAGE.code() : ExitCode.OK.code();
            }
            List<String> rest = args.subList(1, args.size());
            return switch (args.get(0)) {
                case "run" -> {
                    Options o = Options.parse(rest, union(Target.OPTIONS, RunCommand.OPTIONS), RunCommand.FLAGS);
                    yield new RunCommand(out).run(o, Target.from(o).requireVmclock());
                }
                case "report" -> new ReportCommand(out).run(Options.parse(rest, ReportCommand.OPTIONS, Set.of()));
                case "allure" -> new AllureCommand(out).run(rest);
                case "images" -> new ImagesCommand(out).run(rest);
                case "page" -> page(rest);
                case "doctor" -> doctor(rest);
                default -> throw Options.usage("unknown command " + args.get(0));
            };
        } catch (HarnessException e) {
            err.println("vmclock-conformance: " + e.getMessage());
            return e.exitCode().code();
        } catch (GuestImageException e) {
            err.println("vmclock-conformance: " + e.getMessage());
            return ExitCode.GUEST_IMAGE.code();
        } catch (AgentException e) {
            err.println("vmclock-conformance: " + e.getMessage());
            return ExitCode.HARNESS_ERROR.code();
        } catch (RuntimeException e) {
            err.println("vmclock-conformance: internal error: " + e);
            return ExitCode.HARNESS_ERROR.code();
        }
    }

    private int doctor(List<String> args) {
        Options o = Options.parse(args, Target.OPTIONS, Set.of());
        Target t = Target.from(o);
        out.println("qemu:        " + t.qemu().path());
        t.container().ifPresent(c -> out.println("container:   " + t.qemu().host().describe()));
        out.println("version:     " + t.qemu().version());
        out.println("vmclock:     " + (t.qemu().hasDevice("vmclock") ? "present" : "ABSENT (QEMU >= 10.0 needed)"));
        out.println("virtio-rtc:  " + (t.qemu().hasDevice("virtio-rtc-pci") ? "present" : "absent"));
        out.println("accelerator: " + t.accelerator());
        t.requireVmclock();
        return ExitCode.OK.code();
    }

    private int page(List<String> args) {
        Options o = Options.parse(args, union(Target.OPTIONS, Set.of("--out")), Set.of("--json", "--guest"));
        Optional<Path> outDir = o.value("--out").map(Path::of);
        outDir.ifPresent(Main::prepareOutput);
        Target t = Target.from(o).requireVmclock();
        if (o.flag("--guest")) {
            return guestPage(t, o.flag("--json"), outDir);
        }
        try (Machine m = Machine.start(t.qemu(), t.spec().build())) {
            PageLocation where = m.pageLocation();
            SeqlockRead read = m.readPage();
            Map<String, Object> doc = pageDocument(t, where, read);
            String json = json(doc);
            if (outDir.isPresent()) {
                write(outDir.get().resolve("page.bin"), read.page().raw());
                write(outDir.get().resolve("page.json"), json.getBytes());
            }
            if (o.flag("--json")) {
                out.println(json);
            } else {
                out.printf("%s, machine %s, accel %s%n", t.qemu(), t.machineType(), t.accelerator());
                out.printf("page at %s, read in %.2f ms with %d retries%n", where, read.elapsed().toNanos() / 1e6,
                        read.retries());
                read.page().describe().forEach((k, v) -> out.printf("  %-40s %s%n", k, v));
            }
        }
        return ExitCode.OK.code();
    }

    /** Host view, guest read() and guest mmap() of one booted guest, field by field. */
    private int guestPage(Target t, boolean asJson, Optional<Path> outDir) {
        GuestImage image = t.guestImage();
        try (GuestSession guest = GuestSession.boot(t.qemu(), t.spec().build(), image)) {
            VmclockPage host = guest.machine().readPage().page();
            if (!guest.version().devicePresent()) {
                err.printf("vmclock-conformance: the guest found no VMClock device (no /dev/vmclock0) on machine %s:"
                        + " QEMU runs the device but the guest cannot discover it (run the suite: VMC-ACPI-05)%n",
                        t.machineType());
                return ExitCode.GATE_FAILED.code();
            }
            VmclockPage read = guest.read().page();
            VmclockPage mapped = guest.mmap().page();
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("qemu", Map.of("path", t.qemu().path().toString(), "version", t.qemu().version().toString()));
            doc.put("guest", Map.of("kernel", String.valueOf(image.kernelRelease()), "boot_ms", guest.bootTime().toMillis()));
            doc.put("location", guest.machine().pageLocation().toString());
            Map<String, Object> fields = new LinkedHashMap<>();
            List<String> differing = new java.util.ArrayList<>();
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
            String json = json(doc);
            if (outDir.isPresent()) {
                write(outDir.get().resolve("page-guest.json"), json.getBytes());
            }
            if (asJson) {
                out.println(json);
            } else {
                out.printf("%s, machine %s, accel %s, guest kernel %s, booted in %d ms%n", t.qemu(), t.machineType(),
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

    static Map<String, Object> pageDocument(Target t, PageLocation where, SeqlockRead read) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("qemu", Map.of("path", t.qemu().path().toString(), "version", t.qemu().version().toString()));
        doc.put("machine", t.machineType());
        doc.put("accelerator", Map.of("name", t.accelerator().accelerator().qemuName(), "reason", t.accelerator().reason()));
        doc.put("location", Map.of("address", String.format("0x%x", where.address()),
                "length", String.format("0x%x", where.length()), "source", where.source().name()));
        doc.put("read", Map.of("retries", read.retries(), "elapsed_ns", read.elapsed().toNanos()));
        VmclockPage p = read.page();
        doc.put("fields", p.describe());
        doc.put("hex", p.hex(0x70));
        return doc;
    }

    static void prepareOutput(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-test", "");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw Target.notWritable(dir, e);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw Target.notWritable(file.getParent(), e);
        }
    }

    private static String json(Object doc) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
        } catch (IOException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "cannot render JSON: " + e.getMessage(), e);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> s = new java.util.HashSet<>(a);
        s.addAll(b);
        return s;
    }
}
