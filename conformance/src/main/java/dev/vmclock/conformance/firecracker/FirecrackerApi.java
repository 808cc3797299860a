package dev.vmclock.conformance.firecracker;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmclock.conformance.microvm.ApiRequest;
import java.nio.file.Path;

/**
 * The requests the Firecracker provider sends, as its API document ({@code src/firecracker/swagger/firecracker.yaml},
 * Swagger 2.0) names them; each is checked against that document in the unit tests.
 */
final class FirecrackerApi {

    private static final JsonNodeFactory J = JsonNodeFactory.instance;

    private FirecrackerApi() {
    }

    static ApiRequest version() {
        return ApiRequest.get("/version", "getFirecrackerVersion");
    }

    static ApiRequest machineConfig(int vcpus, int memMib) {
        return ApiRequest.put("/machine-config", J.objectNode().put("vcpu_count", vcpus).put("mem_size_mib", memMib)
                .put("smt", false), "putMachineConfiguration");
    }

    static ApiRequest bootSource(Path vmlinux, Path initrd, String bootArgs) {
        ObjectNode b = J.objectNode().put("kernel_image_path", vmlinux.toString()).put("boot_args", bootArgs);
        if (initrd != null) {
            b.put("initrd_path", initrd.toString());
        }
        return ApiRequest.put("/boot-source", b, "putGuestBootSource");
    }

    /**
     * The vsock device. {@code uds} is relative on purpose: Firecracker resolves it against its working directory,
     * so every process loaded from one snapshot (each started in a directory of its own) listens on its own socket
     * (vsock_override, which would do this explicitly, is not in a release yet).
     */
    static ApiRequest vsock(int guestCid, String uds) {
        return ApiRequest.put("/vsock", J.objectNode().put("guest_cid", guestCid).put("uds_path", uds), "putGuestVsock");
    }

    static ApiRequest instanceStart() {
        return ApiRequest.put("/actions", J.objectNode().put("action_type", "InstanceStart"), "createSyncAction");
    }

    static ApiRequest pause() {
        return ApiRequest.patch("/vm", J.objectNode().put("state", "Paused"), "patchVm");
    }

    static ApiRequest resume() {
        return ApiRequest.patch("/vm", J.objectNode().put("state", "Resumed"), "patchVm");
    }

    /** A full snapshot (the VM must be paused): the microVM state and a file holding all guest memory. */
    static ApiRequest snapshotCreate(Path snapshot, Path memory) {
        return ApiRequest.put("/snapshot/create", J.objectNode().put("snapshot_type", "Full")
                .put("snapshot_path", snapshot.toString()).put("mem_file_path", memory.toString()), "createSnapshot");
    }

    /** Loads a full snapshot into a fresh process and resumes it. */
    static ApiRequest snapshotLoad(Path snapshot, Path memory) {
        ObjectNode backend = J.objectNode().put("backend_type", "File").put("backend_path", memory.toString());
        ObjectNode b = J.objectNode().put("snapshot_path", snapshot.toString());
        b.set("mem_backend", backend);
        b.put("resume_vm", true);
        return ApiRequest.put("/snapshot/load", b, "loadSnapshot");
    }
}
