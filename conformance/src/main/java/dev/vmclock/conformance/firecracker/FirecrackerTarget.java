package dev.vmclock.conformance.firecracker;

import dev.vmclock.conformance.microvm.MicroVmResolved;
import dev.vmclock.conformance.microvm.MicroVmTarget;
import dev.vmclock.conformance.microvm.VmmProcess;
import dev.vmclock.harness.guest.GuestSession;
import java.nio.file.Path;
import java.util.List;

/**
 * Firecracker: VMClock on ACPI, pause/resume ({@code PATCH /vm}), and full snapshots ({@code PUT /snapshot/create})
 * loaded into a new process ({@code PUT /snapshot/load}): restores and siblings. No savevm, no live migration, no
 * host view of a running guest's memory (the snapshot's memory file holds RAM as saved, not as the restored VM's
 * device rewrote it), no reset to firmware, no device bus.
 */
final class FirecrackerTarget extends MicroVmTarget {

    static final String SNAPSHOT = "vm.snap";
    static final String MEMORY = "vm.mem";

    FirecrackerTarget(MicroVmResolved resolved) {
        super(resolved, FirecrackerProvider.PROFILE);
    }

    private VmmProcess start(Path dir) {
        return VmmProcess.start("Firecracker", resolved.binary().path(), List.of("--api-sock",
                VmmProcess.apiSocket(dir).toString()), dir, REQUEST);
    }

    @Override
    protected VmmProcess boot(Path dir) {
        VmmProcess p = start(dir);
        try {
            p.api().call(FirecrackerApi.machineConfig(CPUS, MEMORY_MIB));
            p.api().call(FirecrackerApi.bootSource(resolved.vmlinux(), resolved.guestImage().initramfs(),
                    bootArgs()));
            p.api().call(FirecrackerApi.vsock(GUEST_CID, VSOCK));
            p.api().call(FirecrackerApi.instanceStart());
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** The suite's command line; Firecracker's serial is ttyS0, and a guest reboot should end the process. */
    static String bootArgs() {
        return GuestSession.KERNEL_CMDLINE + " reboot=k pci=off";
    }

    @Override
    protected void pause(VmmProcess vm) {
        vm.api().call(FirecrackerApi.pause());
    }

    @Override
    protected void resume(VmmProcess vm) {
        vm.api().call(FirecrackerApi.resume());
    }

    @Override
    protected void save(VmmProcess vm, Path dir) {
        vm.api().call(FirecrackerApi.pause());
        vm.api().call(FirecrackerApi.snapshotCreate(dir.resolve(SNAPSHOT), dir.resolve(MEMORY)));
    }

    @Override
    protected VmmProcess load(Path state, Path dir) {
        VmmProcess p = start(dir);
        try {
            p.api().call(FirecrackerApi.snapshotLoad(state.resolve(SNAPSHOT), state.resolve(MEMORY)));
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }
}
