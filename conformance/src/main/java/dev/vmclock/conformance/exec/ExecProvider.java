package dev.vmclock.conformance.exec;

import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmmProfile;
import dev.vmclock.conformance.vm.VmmProvider;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.adapter.AdapterHello;
import dev.vmclock.harness.adapter.AdapterProcess;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A VMM the project does not ship, behind a vendor's adapter process speaking conformance/ADAPTER-PROTOCOL.md:
 * {@code --vmm exec:PATH}. Resolving starts the adapter and says hello, so a bad path or another protocol version is
 * bad input (exit 2) before any check runs.
 */
public final class ExecProvider implements VmmProvider {

    public static final String PREFIX = "exec:";

    /** What protocol v1 can carry; each adapter declares its own subset at hello. */
    public static final VmmProfile PROFILE = new VmmProfile(EnumSet.complementOf(EnumSet.of(Capability.DEVICE_BUS)),
            List.of(Device.VMCLOCK, Device.VIRTIO_RTC),
            Map.of(Capability.DEVICE_BUS, "no device-level bus in adapter protocol v1"),
            Map.of(), "the adapter declares its capabilities and devices at hello; these are the most v1 carries");

    @Override
    public String name() {
        return "exec:PATH";
    }

    @Override
    public String description() {
        return "a vendor's adapter process speaking " + AdapterProcess.PROTOCOL + " (conformance/ADAPTER-PROTOCOL.md)";
    }

    @Override
    public boolean accepts(String vmm) {
        return vmm.startsWith(PREFIX);
    }

    @Override
    public VmmProfile profile() {
        return PROFILE;
    }

    @Override
    public ResolvedTarget resolve(TargetOptions options) {
        return ExecResolved.resolve(options);
    }

    @Override
    public void doctor(TargetOptions options, Consumer<String> line) {
        try (AdapterProcess a = ExecResolved.startAdapter(options)) {
            AdapterHello h = a.hello();
            line.accept("adapter:     " + a.path());
            line.accept("protocol:    " + h.protocol());
            line.accept("vmm:         " + h.implementation().vmm() + " " + h.implementation().version() + " ("
                    + h.implementation().path() + ", " + h.implementation().where() + ")");
            line.accept("devices:     " + String.join(", ", h.devices()));
            line.accept("capabilities: " + String.join(", ", h.capabilities()));
            line.accept("accelerator: " + h.implementation().accelerator() + " (" + h.implementation().acceleratorReason()
                    + ")");
        }
    }
}
