package dev.vmclock.conformance.cloudhypervisor;

import dev.vmclock.conformance.microvm.MicroVmResolved;
import dev.vmclock.conformance.microvm.MicroVmTarget;
import dev.vmclock.conformance.microvm.VmmProcess;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.guest.GuestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Cloud Hypervisor: virtio-rtc ({@code rtc} in vm.create, judged in the guest through Linux's virtio_rtc), pause/resume,
 * snapshot to a directory restored by a new process ({@code vm.restore}), and local live migration between two
 * processes ({@code vm.receive-migration} / {@code vm.send-migration} over a unix socket, RAM shared). No VMClock, no
 * savevm, no host view of guest memory, no reset to firmware, no device bus the suite can drive.
 */
final class CloudHypervisorTarget extends MicroVmTarget {

    CloudHypervisorTarget(MicroVmResolved resolved) {
        super(resolved, CloudHypervisorProvider.PROFILE);
    }

    private VmmProcess start(Path dir) {
        return VmmProcess.start("Cloud Hypervisor", resolved.binary().path(), List.of("--api-socket",
                "path=" + VmmProcess.apiSocket(dir)), dir, REQUEST);
    }

    @Override
    protected VmmProcess boot(Path dir) {
        VmmProcess p = start(dir);
        try {
            p.api().call(CloudHypervisorApi.create(CPUS, MEMORY_MIB, resolved.vmlinux(),
                    resolved.guestImage().initramfs(), GuestSession.KERNEL_CMDLINE,
                    resolved.devices().contains(Device.VIRTIO_RTC), GUEST_CID, VSOCK));
            p.api().call(CloudHypervisorApi.boot());
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    @Override
    protected void pause(VmmProcess vm) {
        vm.api().call(CloudHypervisorApi.pause());
    }

    @Override
    protected void resume(VmmProcess vm) {
        vm.api().call(CloudHypervisorApi.resume());
    }

    @Override
    protected void save(VmmProcess vm, Path dir) {
        vm.api().call(CloudHypervisorApi.pause());
        vm.api().call(CloudHypervisorApi.snapshot(dir));
    }

    @Override
    protected VmmProcess load(Path state, Path dir) {
        VmmProcess p = start(dir);
        try {
            p.api().call(CloudHypervisorApi.restore(state));
            p.api().call(CloudHypervisorApi.resume());
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /**
     * The destination's receive call returns only when the machine has arrived, so it runs beside the send; the send
     * starts once the destination listens on the migration socket.
     */
    @Override
    protected VmmProcess migrate(VmmProcess source, Path dir) {
        VmmProcess dest = start(dir);
        Path socket = dir.resolve("migration.sock");
        try {
            CompletableFuture<?> received = CompletableFuture.runAsync(() ->
                    dest.api().call(CloudHypervisorApi.receiveMigration(socket)));
            awaitListening(socket, received);
            source.api().call(CloudHypervisorApi.sendMigration(socket));
            received.get(REQUEST.toSeconds(), TimeUnit.SECONDS);
            return dest;
        } catch (ExecutionException e) {
            dest.close();
            throw e.getCause() instanceof RuntimeException r ? r : new HarnessException(ExitCode.HARNESS_ERROR,
                    "receive-migration failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            dest.close();
            throw new HarnessException(ExitCode.HARNESS_ERROR, "Cloud Hypervisor's migration did not arrive within "
                    + REQUEST.toSeconds() + " s", e);
        } catch (RuntimeException e) {
            dest.close();
            throw e;
        }
    }

    private static void awaitListening(Path socket, CompletableFuture<?> received) throws InterruptedException,
            ExecutionException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            if (received.isDone()) {
                received.get(); // the receive call failed: its error is the event's
            }
            // Never connect to probe it: the destination accepts exactly one connection, the migration's. The file
            // appears at bind, just before listen, and the send's connect retries nothing, so wait a moment more.
            if (Files.exists(socket)) {
                Thread.sleep(50);
                return;
            }
            Thread.sleep(20);
        }
        throw new HarnessException(ExitCode.HARNESS_ERROR, "Cloud Hypervisor's destination did not listen on "
                + socket + " within 10 s");
    }
}
