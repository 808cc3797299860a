package dev.vmclock.conformance.cloudhypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vmclock.conformance.microvm.ApiDocument;
import dev.vmclock.conformance.microvm.ApiRequest;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every request the Cloud Hypervisor provider sends, against Cloud Hypervisor's own API document. */
class CloudHypervisorApiTest {

    private static final ApiDocument DOC = ApiDocument.load("cloud-hypervisor.yaml", CloudHypervisorApi.BASE);

    static Stream<ApiRequest> requests() {
        Path dir = Path.of("/run/vmclock/state-1");
        return Stream.of(CloudHypervisorApi.ping(),
                CloudHypervisorApi.create(2, 256, Path.of("/img/vmlinux"), Path.of("/img/initramfs"), "console=ttyS0",
                        true, 3, "vsock.sock"),
                CloudHypervisorApi.create(2, 256, Path.of("/img/vmlinux"), null, "console=ttyS0", false, 3, "v.sock"),
                CloudHypervisorApi.boot(), CloudHypervisorApi.pause(), CloudHypervisorApi.resume(),
                CloudHypervisorApi.snapshot(dir), CloudHypervisorApi.restore(dir),
                CloudHypervisorApi.receiveMigration(dir.resolve("migration.sock")),
                CloudHypervisorApi.sendMigration(dir.resolve("migration.sock")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void conformsToTheApiDocument(ApiRequest r) {
        DOC.check(r);
    }

    @Test
    void theMachineHasSharedRamVirtioRtcAndVsock() {
        var c = CloudHypervisorApi.create(2, 256, Path.of("/k"), null, "x", true, 3, "vsock.sock").body().orElseThrow();
        assertThat(c.at("/memory/size").asLong()).isEqualTo(256L << 20);
        assertThat(c.at("/memory/shared").asBoolean()).isTrue();
        assertThat(c.has("rtc")).isTrue();
        assertThat(c.at("/vsock/socket").asText()).isEqualTo("vsock.sock");
        assertThat(CloudHypervisorApi.snapshot(Path.of("/s/d")).body().orElseThrow().get("destination_url").asText())
                .startsWith("file:///s/d");
        assertThat(CloudHypervisorApi.sendMigration(Path.of("/m.sock")).body().orElseThrow().toString())
                .isEqualTo("{\"destination_url\":\"unix:/m.sock\",\"local\":true}");
    }

    @Test
    void theCheckerFindsWhatTheDocumentRefuses() {
        var j = JsonNodeFactory.instance;
        assertThat(DOC.problems(ApiRequest.put(CloudHypervisorApi.BASE + "/vm.snapshot",
                j.objectNode().put("destination", "file:///x"), "vm.snapshot"))).isNotEmpty();
        assertThat(DOC.problems(ApiRequest.put(CloudHypervisorApi.BASE + "/vm.pause", j.objectNode(), "pauseVM")))
                .isNotEmpty();
        assertThat(DOC.problems(ApiRequest.put(CloudHypervisorApi.BASE + "/vm.create",
                j.objectNode().set("cpus", j.objectNode().put("boot_vcpus", 0)), "createVM"))).isNotEmpty();
    }
}
