package dev.vmclock.images;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The builder's cache, locking and error reporting, with small test recipes (no downloads). */
class GuestImageBuilderTest {

    private static final String A = "dev/vmclock/images/test/a/";
    private static final String B = "dev/vmclock/images/test/b/";
    private static final String FAIL = "dev/vmclock/images/test/fail/";
    private static final List<String> FAKE = List.of("build-image.sh", "data.txt");

    @TempDir
    Path tmp;

    @Test
    void recipeHashIsStableAndCoversContentNamesAndOrder() {
        String a = new GuestImageBuilder(tmp, A, FAKE).recipeHash();
        assertThat(a).matches("[0-9a-f]{64}");
        assertThat(new GuestImageBuilder(tmp.resolve("elsewhere"), A, FAKE).recipeHash()).isEqualTo(a);
        assertThat(new GuestImageBuilder(tmp, B, FAKE).recipeHash()).as("one resource differs").isNotEqualTo(a);
        assertThat(new GuestImageBuilder(tmp, A, List.of("data.txt", "build-image.sh")).recipeHash())
                .as("order").isNotEqualTo(a);
        assertThat(new GuestImageBuilder(tmp, A, List.of("build-image.sh")).recipeHash()).as("set").isNotEqualTo(a);
    }

    @Test
    void shippedRecipeIsListedAndHashedLikeTheShellScriptDoes() throws Exception {
        GuestImageBuilder builder = new GuestImageBuilder(tmp);
        assertThat(builder.resourceNames())
                .containsExactly("build-image.sh", "debian-mirror.sh", "extract-vmlinux.sh", "init", "agent/vmclock-agent.c",
                        "kmod/virtio_rtc.Kbuild", "kmod/build-virtio-rtc.sh", "kmod/build-ptp-vmclock.sh",
                        "kmod/ptp_vmclock/00-fault-selection.patch", "kmod/ptp_vmclock/01-ignore-seq-count.patch",
                        "kmod/ptp_vmclock/02-writable-mmap.patch", "kmod/ptp_vmclock/03-no-poll-events.patch",
                        "kmod/ptp_vmclock/04-read-wraps.patch", "kmod/ptp_vmclock/05-stale-mmap.patch",
                        "kmod/ptp_vmclock/06-accept-bad-header.patch", "kmod/ptp_vmclock/07-ptp-always.patch",
                        "kmod/ptp_vmclock/08-tai-offset-added.patch", "kmod/ptp_vmclock/09-tai-offset-unflagged.patch",
                        "kmod/ptp_vmclock/10-error-fields-unflagged.patch");
        assertThat(builder.recipeHash()).isEqualTo(new GuestImageBuilder(tmp).recipeHash());

        URL index = getClass().getClassLoader().getResource(GuestImageBuilder.RESOURCE_BASE + GuestImageBuilder.RECIPE_INDEX);
        assumeThat(index).isNotNull();
        assumeThat(index.getProtocol()).isEqualTo("file");
        Path dir = Path.of(index.toURI()).getParent();
        String script = "cd \"$1\" && while IFS= read -r n; do [ -n \"$n\" ] || continue; "
                + "printf '%s\\n%s\\n' \"$n\" \"$(stat -c %s \"$n\")\"; cat \"$n\"; done < recipe.files | sha256sum | cut -d' ' -f1";
        Process p = new ProcessBuilder("bash", "-c", script, "bash", dir.toString()).redirectErrorStream(true).start();
        String shell = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).isZero();
        assertThat(shell).isEqualTo(builder.recipeHash());

        // With virtio_rtc.ko the options are hashed too, as build-image.sh does, so each build is its own image.
        GuestImageBuilder stock = builder.withVirtioRtc(VirtioRtcModule.STOCK);
        GuestImageBuilder broken = builder.withVirtioRtc(VirtioRtcModule.BROKEN_STEPS_BACK);
        assertThat(List.of(builder.recipeHash(), stock.recipeHash(), broken.recipeHash())).doesNotHaveDuplicates();
        assertThat(stock.withVirtioRtc(VirtioRtcModule.NONE).recipeHash()).isEqualTo(builder.recipeHash());
        String withOptions = "cd \"$1\" && o=$'virtio_rtc=stock\\n'; { while IFS= read -r n; do [ -n \"$n\" ] || continue; "
                + "printf '%s\\n%s\\n' \"$n\" \"$(stat -c %s \"$n\")\"; cat \"$n\"; done < recipe.files; "
                + "printf 'options\\n%s\\n%s' \"${#o}\" \"$o\"; } | sha256sum | cut -d' ' -f1";
        p = new ProcessBuilder("bash", "-c", withOptions, "bash", dir.toString()).redirectErrorStream(true).start();
        shell = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).isZero();
        assertThat(shell).isEqualTo(stock.recipeHash());

        // The broken ptp_vmclock.ko is its own image too; with virtio_rtc.ko both options, in build-image.sh's order.
        GuestImageBuilder brokenPtp = stock.withPtpVmclock(PtpVmclockModule.BROKEN);
        assertThat(List.of(builder.recipeHash(), stock.recipeHash(), brokenPtp.recipeHash(),
                builder.withPtpVmclock(PtpVmclockModule.BROKEN).recipeHash())).doesNotHaveDuplicates();
        assertThat(brokenPtp.withPtpVmclock(PtpVmclockModule.STOCK).recipeHash()).isEqualTo(stock.recipeHash());
        p = new ProcessBuilder("bash", "-c", withOptions.replace("o=$'virtio_rtc=stock\\n'",
                "o=$'virtio_rtc=stock\\nptp_vmclock=broken\\n'"), "bash", dir.toString()).redirectErrorStream(true).start();
        shell = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).isZero();
        assertThat(shell).isEqualTo(brokenPtp.recipeHash());
    }

    @Test
    void defaultCacheRootFollowsTheEnvironment() {
        assertThat(GuestImageBuilder.defaultCacheRoot(Map.of("VMCLOCK_CACHE_DIR", "/c", "XDG_CACHE_HOME", "/x"), "/h"))
                .isEqualTo(Path.of("/c"));
        assertThat(GuestImageBuilder.defaultCacheRoot(Map.of("XDG_CACHE_HOME", "/x"), "/h"))
                .isEqualTo(Path.of("/x/vmclock-conformance"));
        assertThat(GuestImageBuilder.defaultCacheRoot(Map.of(), "/h")).isEqualTo(Path.of("/h/.cache/vmclock-conformance"));
    }

    @Test
    void buildsOnceThenServesTheCacheWithoutRunningTheRecipe() throws IOException {
        GuestImageBuilder builder = new GuestImageBuilder(tmp, A, FAKE);
        GuestImage built = builder.ensureBuilt();

        Path dir = tmp.resolve("images").resolve(builder.recipeHash());
        assertThat(built.kernel()).isEqualTo(dir.resolve("vmlinux"));
        assertThat(built.vmlinux()).contains(dir.resolve("vmlinux"));
        assertThat(built.bzImage()).isEqualTo(dir.resolve("vmlinuz"));
        assertThat(built.booting(GuestKernel.BZIMAGE).kernel()).isEqualTo(dir.resolve("vmlinuz"));
        assertThat(built.booting(GuestKernel.BZIMAGE).booting(GuestKernel.VMLINUX)).isEqualTo(built);
        assertThat(built.initramfs()).isEqualTo(dir.resolve("initramfs.cpio.gz"));
        assertThat(built.manifest()).isEqualTo(dir.resolve("manifest.json"));
        assertThat(built.kernelRelease()).isEqualTo("6.99.0-fake");
        assertThat(Files.readString(built.manifest())).contains(builder.recipeHash());
        assertThat(dir.resolve("build.log")).content().contains("fake build into");
        assertThat(builds()).isEqualTo(1);
        assertThat(temporaryDirectories()).isEmpty();

        long t0 = System.nanoTime();
        GuestImage warm = new GuestImageBuilder(tmp, A, FAKE).ensureBuilt();
        long warmMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(warm).isEqualTo(built);
        assertThat(builds()).isEqualTo(1);
        assertThat(warmMillis).isLessThan(1000);
    }

    @Test
    void aCachedImageIsReturnedWithoutStartingAnyProcess() throws IOException {
        // This recipe would fail if run: a hit must not run it.
        GuestImageBuilder builder = new GuestImageBuilder(tmp, FAIL, List.of("build-image.sh"));
        Path dir = Files.createDirectories(builder.imageDirectory());
        Files.writeString(dir.resolve("vmlinuz"), "k");
        Files.writeString(dir.resolve("initramfs.cpio.gz"), "i");
        Files.writeString(dir.resolve("manifest.json"), "{\"kernel_release\":\"6.13.0-cached\"}");

        assertThat(builder.cached()).isPresent();
        GuestImage image = builder.ensureBuilt();
        assertThat(image.kernelRelease()).isEqualTo("6.13.0-cached");
        // A manifest recording no vmlinux (an older recipe's) boots the bzImage and offers no ELF.
        assertThat(image.kernel()).isEqualTo(dir.resolve("vmlinuz"));
        assertThat(image.vmlinux()).isEmpty();
        assertThatThrownBy(() -> image.booting(GuestKernel.VMLINUX)).isInstanceOf(GuestImageException.class)
                .hasMessage("the guest image in " + dir + " has no vmlinux; delete it to rebuild it");
    }

    @Test
    void aBuildThatWritesNoVmlinuxFailsAndPublishesNothing() {
        GuestImageBuilder builder = new GuestImageBuilder(tmp, "dev/vmclock/images/test/novmlinux", List.of("build-image.sh"));
        assertThatThrownBy(builder::ensureBuilt).isInstanceOf(GuestImageException.class)
                .hasMessageStartingWith("build-image.sh exited 0 but wrote no vmlinux; fix the recipe");
        assertThat(builder.cached()).isEmpty();
    }

    @Test
    void concurrentCallersShareOneBuild() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<GuestImage>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(pool.submit(() -> new GuestImageBuilder(tmp, A, FAKE).ensureBuilt()));
            }
            GuestImage first = futures.get(0).get();
            for (Future<GuestImage> f : futures) {
                assertThat(f.get()).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(builds()).isEqualTo(1);
    }

    @Test
    void aFailedBuildNamesTheCauseKeepsTheLogAndLeavesNothingHalfWritten() {
        GuestImageBuilder builder = new GuestImageBuilder(tmp, FAIL, List.of("build-image.sh"));
        assertThatThrownBy(builder::ensureBuilt)
                .isInstanceOfSatisfying(GuestImageException.class, e -> {
                    assertThat(e.getMessage())
                            .startsWith("guest image build failed: download of package linux-binary-9.9.9+deb13-cloud-amd64")
                            .contains("exit 4")
                            .doesNotContain("\n");
                    assertThat(e.logFile()).hasValue(tmp.resolve("images").resolve(builder.recipeHash() + ".build.log"));
                    assertThat(e.logTail()).contains("build-image: step 1").contains("ERROR: download of package");
                    assertThat(e.toString()).contains("build-image: step 1");
                });
        assertThat(builder.imageDirectory()).doesNotExist();
        assertThat(builder.cached()).isEmpty();
        assertThat(temporaryDirectories()).isEmpty();
    }

    @Test
    void anUnwritableCacheDirectoryGivesAClearError() throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-directory"), "x");
        GuestImageBuilder builder = new GuestImageBuilder(file.resolve("cache"), A, FAKE);
        assertThatThrownBy(builder::ensureBuilt)
                .isInstanceOf(GuestImageException.class)
                .hasMessageContaining("guest image cache directory " + file.resolve("cache").resolve("images"))
                .hasMessageContaining("is not writable")
                .hasMessageContaining("set VMCLOCK_CACHE_DIR")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void bringYourOwnImageReadsTheReleaseFromTheBzImageHeader() throws IOException {
        byte[] image = new byte[0x1000];
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x202, 0x53726448); // "HdrS"
        b.putShort(0x206, (short) 0x20f);
        b.putShort(0x20e, (short) 0x300); // string at 0x500
        byte[] version = "6.13.7-test (builder@host) #1 SMP\0".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(version, 0, image, 0x500, version.length);
        Path kernel = Files.write(tmp.resolve("bzImage"), image);
        Path initrd = Files.writeString(tmp.resolve("initrd"), "x");

        GuestImage byo = GuestImage.of(kernel, initrd);
        assertThat(byo.kernelRelease()).isEqualTo("6.13.7-test");
        assertThat(byo.manifest()).isNull();
        assertThat(byo.vmlinux()).isEmpty();
        assertThat(byo.booting(GuestKernel.BZIMAGE)).isEqualTo(byo);
        assertThatThrownBy(() -> byo.booting(GuestKernel.VMLINUX)).isInstanceOf(GuestImageException.class)
                .hasMessageContaining("boots its kernel as given");
        assertThat(GuestImage.of(initrd, initrd).kernelRelease()).isNull();
        assertThatThrownBy(() -> GuestImage.of(tmp.resolve("missing"), initrd))
                .isInstanceOf(GuestImageException.class)
                .hasMessageContaining("missing");
    }

    private long builds() throws IOException {
        Path log = tmp.resolve("images").resolve("fake-builds.log");
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    private List<Path> temporaryDirectories() {
        try (Stream<Path> s = Files.list(tmp.resolve("images"))) {
            return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
