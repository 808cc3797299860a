package dev.vmclock.conformance.firecracker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vmclock.conformance.microvm.ApiDocument;
import dev.vmclock.conformance.microvm.ApiRequest;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every request the Firecracker provider sends, against Firecracker's own API document. */
class FirecrackerApiTest {

    private static final ApiDocument DOC = ApiDocument.load("firecracker.yaml", "");

    static Stream<ApiRequest> requests() {
        Path dir = Path.of("/run/vmclock/state-1");
        return Stream.of(FirecrackerApi.version(), FirecrackerApi.machineConfig(2, 256),
                FirecrackerApi.bootSource(Path.of("/img/vmlinux"), Path.of("/img/initramfs.cpio.gz"),
                        FirecrackerTarget.bootArgs()),
                FirecrackerApi.bootSource(Path.of("/img/vmlinux"), null, "console=ttyS0"),
                FirecrackerApi.vsock(3, "vsock.sock"), FirecrackerApi.instanceStart(), FirecrackerApi.pause(),
                FirecrackerApi.resume(), FirecrackerApi.snapshotCreate(dir.resolve("vm.snap"), dir.resolve("vm.mem")),
                FirecrackerApi.snapshotLoad(dir.resolve("vm.snap"), dir.resolve("vm.mem")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void conformsToTheApiDocument(ApiRequest r) {
        DOC.check(r);
    }

    @Test
    void snapshotsAreFullAndLoadsResume() {
        assertThat(FirecrackerApi.snapshotCreate(Path.of("/s"), Path.of("/m")).body().orElseThrow().get("snapshot_type")
                .asText()).isEqualTo("Full");
        var load = FirecrackerApi.snapshotLoad(Path.of("/s"), Path.of("/m")).body().orElseThrow();
        assertThat(load.get("resume_vm").asBoolean()).isTrue();
        assertThat(load.at("/mem_backend/backend_type").asText()).isEqualTo("File");
    }

    /** The checker itself: a misspelt property, a wrong enum value and a missing body are each found. */
    @Test
    void theCheckerFindsWhatTheDocumentRefuses() {
        var j = JsonNodeFactory.instance;
        assertThat(DOC.problems(ApiRequest.put("/vsock", j.objectNode().put("guest_cid", 3).put("uds", "v"),
                "putGuestVsock"))).anyMatch(p -> p.contains("uds"));
        assertThat(DOC.problems(ApiRequest.patch("/vm", j.objectNode().put("state", "Stopped"), "patchVm")))
                .isNotEmpty();
        assertThat(DOC.problems(ApiRequest.putEmpty("/actions", "createSyncAction"))).isNotEmpty();
        assertThat(DOC.problems(ApiRequest.put("/snapshot/save", j.objectNode(), "x"))).isNotEmpty();
    }
}
