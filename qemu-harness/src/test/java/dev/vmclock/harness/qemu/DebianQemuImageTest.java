package dev.vmclock.harness.qemu;

import dev.vmclock.harness.Device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's QEMU 11.1 (trixie-backports) as a container image built here, run through {@link QemuContainer}.
 * A cold build is paid once per Docker host (about a minute on this machine); later runs reuse the image.
 */
class DebianQemuImageTest {

    private static String tag;
    private static QemuContainer container;

    @BeforeAll
    static void buildAndStart() {
        tag = DebianQemuImage.shipped().ensureBuilt(DebianSuite.TRIXIE_BACKPORTS);
        container = QemuContainer.shared(tag, List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        String id = container.containerId();
        container.close();
        assertThat(Docker.containerExists(id)).as("container %s after close", id).isFalse();
    }

    @Test
    void recordsTheInstalledVersions() {
        ImageVersions v = DebianQemuImage.versions(tag).orElseThrow();
        assertThat(v.suite()).isEqualTo("trixie-backports");
        assertThat(v.codename()).isEqualTo("trixie");
        assertThat(v.recipe()).isEqualTo(DebianQemuImage.shipped().recipeHash(ImageRecipe.Kind.QEMU));
        assertThat(v.qemu()).startsWith("QEMU emulator version 11.1.");
        assertThat(v.version("qemu-system-x86")).startsWith("1:11.1.").contains("bpo13");
        for (String pkg : List.of("qemu-system-data", "qemu-utils", "seabios", "libc6")) {
            assertThat(v.version(pkg)).as(pkg).isNotBlank();
        }
        assertThat(DebianQemuImage.isBuilt(tag)).isTrue();
    }

    @Test
    void qemu111InTheImageHasVirtioRtcAndVmclock() {
        QemuBinary qemu = QemuBinary.locate(container, null);
        assertThat(qemu.version().toString()).startsWith("11.1.");
        assertThat(qemu.hasDevice("virtio-rtc-pci")).isTrue();
        assertThat(qemu.requireVmclock()).isSameAs(qemu);
    }

    @Test
    void startsWithBothDevicesAndListsThemOverQmp() throws Exception {
        QemuBinary qemu = QemuBinary.locate(container, null);
        MachineSpec spec = MachineSpec.builder().devices(Device.VMCLOCK, Device.VIRTIO_RTC).build();
        try (QemuVm vm = QemuVm.start(qemu, spec)) {
            assertThat(vm.qmp().qemuVersion()).startsWith("11.1.");
            List<String> types = new ArrayList<>();
            collectTypes(vm.qmp().execute("qom-list", java.util.Map.of("path", "/machine/peripheral-anon")), types, vm);
            assertThat(types).contains("vmclock", "virtio-rtc-pci");
            boolean rtcOnPci = false;
            for (JsonNode bus : vm.qmp().execute("query-pci")) {
                for (JsonNode d : bus.path("devices")) {
                    rtcOnPci |= d.path("id").path("vendor").asInt() == 0x1af4 && d.path("id").path("device").asInt() == 0x1051;
                }
            }
            assertThat(rtcOnPci).as("virtio-rtc (1af4:1051) in query-pci").isTrue();
        }
        assertThat(Docker.processes(container.containerId())).doesNotContain("qemu-system");
    }

    /** The QOM type of each anonymous peripheral (devices added with -device and no id). */
    private static void collectTypes(JsonNode children, List<String> types, QemuVm vm) {
        for (JsonNode c : children) {
            if (c.path("type").asText().startsWith("child<")) {
                JsonNode type = vm.qmp().execute("qom-get", java.util.Map.of(
                        "path", "/machine/peripheral-anon/" + c.path("name").asText(), "property", "type"));
                types.add(type.asText());
            }
        }
    }

    @Test
    void aWarmLookupBuildsNothing() {
        long start = System.nanoTime();
        assertThat(DebianQemuImage.shipped().ensureBuilt(DebianSuite.TRIXIE_BACKPORTS)).isEqualTo(tag);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
}
