package dev.vmclock.cli;

import dev.vmclock.cli.CapabilityTable.Cell;
import dev.vmclock.cli.CapabilityTable.Column;
import dev.vmclock.cli.CapabilityTable.Data;
import dev.vmclock.conformance.cloudhypervisor.CloudHypervisorProvider;
import dev.vmclock.conformance.firecracker.FirecrackerProvider;
import dev.vmclock.conformance.qemu.QemuProvider;
import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.conformance.run.SuiteRunner;
import dev.vmclock.conformance.spec.ClauseEntry;
import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmmProfile;
import dev.vmclock.conformance.vm.VmmProvider;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.qemu.DebianQemuImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code capabilities}: the README's table of what Firecracker, Cloud Hypervisor, QEMU 10.0 and QEMU 11.1 can be
 * judged on. A CLI command, not a test-source main: it needs the CLI's choice of QEMU 11.1 (the image
 * {@link DefaultImplementation} builds), it is how a vendor asks the same question of a provider, and it runs the
 * real suite, which the build's tests must not do on every build. Firecracker and Cloud Hypervisor need KVM that
 * boots Linux, so each is measured on a stand-in: QEMU 11.1 with the provider's missing capabilities hidden
 * ({@code --without}) and its absent devices removed.
 */
@Command(name = "capabilities", sortOptions = false, abbreviateSynopsis = true, description = {
        "Print what each implementation can be judged on, clause by clause: runs the suite four times (Firecracker's"
        + " and Cloud Hypervisor's shapes on QEMU 11.1, QEMU 10.0 on the host, QEMU 11.1), a few minutes. "
        + CapabilityTable.REFRESH + " refreshes the README's table and its data file."})
final class CapabilitiesCommand implements Callable<Integer> {

    /** A column as planned: which provider, shown how, run as itself or as a shape on the stand-in. */
    record Planned(String key, String title, String provider, boolean standIn) {
    }

    static final List<Planned> COLUMNS = List.of(
            new Planned("firecracker", "Firecracker", FirecrackerProvider.NAME, true),
            new Planned("cloud-hypervisor", "Cloud Hypervisor", CloudHypervisorProvider.NAME, true),
            new Planned("qemu-10.0", "QEMU 10.0", QemuProvider.NAME, false),
            new Planned("qemu-11.1", "QEMU 11.1", QemuProvider.NAME, false));

    @Option(names = "--data", paramLabel = "FILE", description = "render the table from this stored classification"
            + " instead of measuring")
    Path data;

    @Option(names = "--data-out", paramLabel = "FILE", description = "store the measured classification here")
    Path dataOut;

    @Option(names = "--readme", paramLabel = "FILE", description = "rewrite the table between the "
            + CapabilityTable.BEGIN + " markers of this file")
    Path readme;

    @Option(names = "--qemu-10", paramLabel = "PATH", defaultValue = "/usr/bin/qemu-system-x86_64",
            description = "the host's QEMU 10.0 (default: ${DEFAULT-VALUE})")
    String qemu10;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    CapabilitiesCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        Data d = data != null ? Data.parse(Files.readString(data, StandardCharsets.UTF_8)) : measure();
        if (dataOut != null) {
            Files.writeString(dataOut, d.format(), StandardCharsets.UTF_8);
        }
        String table = CapabilityTable.render(d, p -> VmmProvider.named(p).profile());
        if (readme != null) {
            Files.writeString(readme, CapabilityTable.replace(Files.readString(readme, StandardCharsets.UTF_8), table),
                    StandardCharsets.UTF_8);
        }
        out.print(table);
        return ExitCode.OK.code();
    }

    private Data measure() {
        String image = DebianQemuImage.shipped().ensureBuilt(DefaultImplementation.NEWEST);
        SpecMap map = SpecMap.load();
        List<Column> columns = new ArrayList<>();
        Map<String, List<Cell>> clauses = new LinkedHashMap<>();
        map.clauses().forEach(c -> clauses.put(c.id(), new ArrayList<>()));
        for (Planned p : COLUMNS) {
            VmmProfile profile = VmmProvider.named(p.provider()).profile();
            TargetOptions o = TargetOptions.defaults().with(b -> {
                if (p.key().equals("qemu-10.0")) {
                    b.qemu(qemu10);
                } else {
                    b.container(image);
                }
                if (p.standIn()) {
                    b.without(profile.lacking()).vmclock(profile.devices().contains(Device.VMCLOCK))
                            .virtioRtc(Optional.of(profile.devices().contains(Device.VIRTIO_RTC)));
                }
            });
            ResolvedTarget t = VmmProvider.named(QemuProvider.NAME).resolve(o);
            if (p.standIn() && !Set.copyOf(t.devices()).equals(Set.copyOf(profile.devices()))) {
                throw new HarnessException(ExitCode.HARNESS_ERROR, "the stand-in for " + p.title() + " has "
                        + t.devices() + ", its profile " + profile.devices());
            }
            out.printf("capabilities: %s on %s...%n", p.title(), t.implementation().describe());
            SuiteRun run = SuiteRunner.run(t, Set.of(), x -> { });
            run.containerFailure().ifPresent(e -> {
                throw new HarnessException(ExitCode.HARNESS_ERROR, p.title() + ": the suite broke: " + e, e);
            });
            // Not the image's tag: it changes with the image recipe, which says nothing about the table.
            var impl = t.implementation();
            String measuredOn = impl.displayName() + " " + impl.version() + (impl.where().equals("local") ? ""
                    : " in a container") + ", " + impl.machine() + ", " + impl.accelerator();
            columns.add(new Column(p.key(), p.title(), p.provider(), p.standIn(), measuredOn,
                    p.standIn() ? profile.lacking() : Set.of(), t.devices()));
            for (ClauseEntry c : map.clauses()) {
                try {
                    clauses.get(c.id()).add(CapabilityTable.classify(c, run.clause(c.id()), t.devices()));
                } catch (IllegalStateException e) {
                    throw new HarnessException(ExitCode.HARNESS_ERROR, p.title() + ": " + e.getMessage()
                            + " (evidence: " + t.evidenceDir() + ")");
                }
            }
        }
        return new Data(columns, clauses);
    }
}
