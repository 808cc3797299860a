package dev.vmclock.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One real cold build of the shipped recipe into an empty cache: downloads the Debian kernel
 * packages (about 37 MB), so it needs the network. Set VMCLOCK_SKIP_REAL_IMAGE_BUILD=1 to skip.
 */
@Tag("network")
@DisabledIfEnvironmentVariable(named = "VMCLOCK_SKIP_REAL_IMAGE_BUILD", matches = "1|true|yes")
class GuestImageRealBuildTest {

    @TempDir
    Path cache;

    @Test
    void coldBuildProducesABootableImageAndAManifest() throws Exception {
        GuestImageBuilder builder = new GuestImageBuilder(cache);
        long t0 = System.nanoTime();
        GuestImage image = builder.ensureBuilt();
        long coldMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("cold build: %d ms, kernel %s, %s%n", coldMillis, image.kernelRelease(), image.kernel().getParent());

        // Kernel release >= 6.13 (ptp_vmclock), the same in the manifest and the bzImage header.
        assertThat(image.kernelRelease()).matches("\\d+\\.\\d+.*");
        String[] v = image.kernelRelease().split("[.+-]");
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1]);
        assertThat(major > 6 || (major == 6 && minor >= 13)).as("kernel %s >= 6.13", image.kernelRelease()).isTrue();
        assertThat(GuestImage.kernelReleaseOf(image.kernel().resolveSibling("vmlinuz"))).isEqualTo(image.kernelRelease());
        // The kernel booted is the PVH-bootable ELF extracted from that bzImage.
        assertThat(image.kernel().getFileName()).hasToString("vmlinux");
        assertThat(java.util.Arrays.copyOf(java.nio.file.Files.readAllBytes(image.kernel()), 4))
                .containsExactly(0x7f, 'E', 'L', 'F');

        JsonNode m = new ObjectMapper().readTree(image.manifest().toFile());
        assertThat(m.path("recipe_hash").asText()).isEqualTo(builder.recipeHash());
        assertThat(m.path("kernel_release").asText()).isEqualTo(image.kernelRelease());
        assertThat(m.path("suite").asText()).isEqualTo("trixie-backports");
        assertThat(m.path("build_date").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(m.path("busybox_version").asText()).startsWith("BusyBox v");
        assertThat(m.path("gcc_version").asText()).contains("gcc");
        assertThat(m.path("agent_sha256").asText()).matches("[0-9a-f]{64}");
        assertThat(m.path("packages")).hasSizeGreaterThanOrEqualTo(1);
        for (JsonNode p : m.path("packages")) {
            assertThat(p.path("name").asText()).startsWith("linux-").endsWith("-cloud-amd64");
            assertThat(p.path("version").asText()).isNotBlank();
            assertThat(p.path("sha256").asText()).matches("[0-9a-f]{64}");
        }
        assertThat(m.path("packages").findValuesAsText("name"))
                .anySatisfy(n -> assertThat(n).contains(image.kernelRelease().replace("-cloud-amd64", "")));
        assertThat(m.path("outputs").path("vmlinuz").path("sha256").asText())
                .isEqualTo(sha256(image.kernel().resolveSibling("vmlinuz")));
        assertThat(m.path("outputs").path("vmlinux").path("sha256").asText()).isEqualTo(sha256(image.kernel()));
        assertThat(m.path("outputs").path("vmlinux").path("boot").asText()).isEqualTo("PVH");
        assertThat(m.path("outputs").path("vmlinux").path("pvh_entry").asText()).matches("0x[0-9a-f]+");
        assertThat(m.path("outputs").path("vmlinux").path("compression").asText()).isIn("gzip", "xz", "lz4", "zstd");
        assertThat(image.vmlinux()).contains(image.kernel());
        assertThat(image.booting(GuestKernel.BZIMAGE).kernel()).isEqualTo(image.kernel().resolveSibling("vmlinuz"));
        assertThat(m.path("outputs").path("initramfs.cpio.gz").path("sha256").asText()).isEqualTo(sha256(image.initramfs()));

        // The initramfs holds /init, busybox, the agent and the module (and a /dev/console node).
        Map<String, Newc.Entry> entries = Newc.list(image.initramfs()).stream()
                .collect(Collectors.toMap(Newc.Entry::name, Function.identity(), (a, b) -> b));
        for (String f : List.of("init", "bin/busybox", "bin/vmclock-agent", "lib/modules/ptp_vmclock.ko")) {
            assertThat(entries).containsKey(f);
            assertThat(entries.get(f).isRegularFile()).as(f).isTrue();
            assertThat(entries.get(f).size()).as(f).isPositive();
        }
        assertThat(entries.get("init").mode() & 0111).isNotZero();
        assertThat(entries.get("bin/vmclock-agent").mode() & 0111).isNotZero();
        assertThat(entries.get("dev/console").isCharDevice()).isTrue();
        assertThat(entries.get("dev/console").rdevMajor()).isEqualTo(5);
        assertThat(entries).containsKeys("bin/sh", "bin/insmod", "bin/mount");
        assertThat(entries.values()).allSatisfy(e -> assertThat(e.mtime()).isEqualTo(m.path("source_date_epoch").asLong()));
        assertThat(cache.resolve("images")).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith(".tmp-"));

        // Warm: a new builder finds it without running anything.
        long t1 = System.nanoTime();
        GuestImage warm = new GuestImageBuilder(cache).ensureBuilt();
        long warmMillis = (System.nanoTime() - t1) / 1_000_000;
        System.out.printf("warm ensureBuilt: %d ms%n", warmMillis);
        assertThat(warm).isEqualTo(image);
        assertThat(warmMillis).isLessThan(1000);
    }

    private static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
