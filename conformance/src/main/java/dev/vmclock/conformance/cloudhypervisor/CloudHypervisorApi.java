package dev.vmclock.conformance.cloudhypervisor;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmclock.conformance.microvm.ApiRequest;
import java.nio.file.Path;

/**
 * The requests the Cloud Hypervisor provider sends, as its API document
 * ({@code vmm/src/api/openapi/cloud-hypervisor.yaml}, OpenAPI 3.0, served under {@code /api/v1}) names them; each is
 * checked against that document in the unit tests.
 */
final class CloudHypervisorApi {

    static final String BASE = "/api/v1";
    private static final JsonNodeFactory J = JsonNodeFactory.instance;

    private CloudHypervisorApi() {
    }

    static ApiRequest ping() {
        return ApiRequest.get(BASE + "/vmm.ping", "vmm.ping");
    }

    /**
     * The machine: RAM shared (a memfd, which local live migration needs), the serial console on the process's stdout,
     * no virtio-console, virtio-rtc when asked for, and hybrid vsock on a socket relative to the process's directory
     * (so siblings restored from one snapshot do not collide).
     */
    static ApiRequest create(int cpus, int memMib, Path vmlinux, Path initramfs, String cmdline, boolean rtc,
                             int cid, String vsock) {
        ObjectNode c = J.objectNode();
        c.putObject("cpus").put("boot_vcpus", cpus).put("max_vcpus", cpus);
        c.putObject("memory").put("size", (long) memMib << 20).put("shared", true);
        ObjectNode payload = c.putObject("payload").put("kernel", vmlinux.toString()).put("cmdline", cmdline);
        if (initramfs != null) {
            payload.put("initramfs", initramfs.toString());
        }
        c.putObject("serial").put("mode", "Tty");
        c.putObject("console").put("mode", "Off");
        if (rtc) {
            c.putObject("rtc");
        }
        c.putObject("vsock").put("cid", cid).put("socket", vsock);
        return ApiRequest.put(BASE + "/vm.create", c, "createVM");
    }

    static ApiRequest boot() {
        return ApiRequest.putEmpty(BASE + "/vm.boot", "bootVM");
    }

    static ApiRequest pause() {
        return ApiRequest.putEmpty(BASE + "/vm.pause", "pauseVM");
    }

    static ApiRequest resume() {
        return ApiRequest.putEmpty(BASE + "/vm.resume", "resumeVM");
    }

    /** The paused VM's snapshot into {@code dir} (config, state and memory files). */
    static ApiRequest snapshot(Path dir) {
        return ApiRequest.put(BASE + "/vm.snapshot", J.objectNode().put("destination_url", dir.toUri().toString()),
                "vm.snapshot");
    }

    /** A fresh process takes the machine from {@code dir}; it stays paused until {@link #resume()}. */
    static ApiRequest restore(Path dir) {
        return ApiRequest.put(BASE + "/vm.restore", J.objectNode().put("source_url", dir.toUri().toString()),
                "vm.restore");
    }

    /** The destination listens on {@code socket}; the call returns once the migration has arrived. */
    static ApiRequest receiveMigration(Path socket) {
        return ApiRequest.put(BASE + "/vm.receive-migration", J.objectNode().put("receiver_url", "unix:" + socket),
                "vm.receive-migration");
    }

    /** The source sends to {@code socket}; {@code local} hands the shared memory over instead of copying it. */
    static ApiRequest sendMigration(Path socket) {
        return ApiRequest.put(BASE + "/vm.send-migration", J.objectNode().put("destination_url", "unix:" + socket)
                .put("local", true), "vm.send-migration");
    }
}
