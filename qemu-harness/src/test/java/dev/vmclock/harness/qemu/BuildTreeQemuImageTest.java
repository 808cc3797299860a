package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.qemu.Machine;
import dev.vmclock.harness.page.VmclockPage;
import dev.vmclock.images.FileTree;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image of a QEMU build tree, from a real QEMU laid out as {@code configure && make} leaves one: this
 * machine's emulator and qemu-img at the top, the firmware in {@code pc-bios/}, and {@code qemu-bundle/usr/share/qemu}
 * linking to it (how a QEMU run from its build directory finds data files), in a git tree with a tag.
 */
class BuildTreeQemuImageTest {

    /** Fixed, so the cached image's label (which names it) matches on the next run too. */
    private static final Path TREE = Path.of("target/fake-qemu-build").toAbsolutePath();
    private static final List<Path> FIRMWARE = List.of(Path.of("/usr/share/qemu"), Path.of("/usr/share/seabios"),
            Path.of("/usr/lib/ipxe/qemu"));

    @BeforeAll
    static void layOutTheTree() throws Exception {
        FileTree.deleteQuietly(TREE);
        Path pcBios = Files.createDirectories(TREE.resolve("pc-bios"));
        Files.copy(Qemu.binary().path(), TREE.resolve("qemu-system-x86_64"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(Qemu.binary().qemuImg(), TREE.resolve("qemu-img"), StandardCopyOption.COPY_ATTRIBUTES);
        for (Path dir : FIRMWARE) {
            try (Stream<Path> walk = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
                for (Path f : walk.filter(Files::isRegularFile).toList()) {
                    Path target = pcBios.resolve(dir.relativize(f).toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.createDirectories(TREE.resolve("qemu-bundle/usr/share"));
        Files.createSymbolicLink(TREE.resolve("qemu-bundle/usr/share/qemu"), Path.of("../../../pc-bios"));
        Files.writeString(TREE.resolve("README"), "a QEMU build tree for BuildTreeQemuImageTest\n");
        git("init", "-q");
        git("add", "README");
        git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "tree");
        git("tag", "v0-fake-build");
    }

    /** Images this class built: the tree's git commit differs per run, so each run's tag is new; none is kept. */
    private static final List<String> BUILT = new java.util.concurrent.CopyOnWriteArrayList<>();

    @org.junit.jupiter.api.AfterAll
    static void removeTheImages() throws Exception {
        for (String tag : BUILT) {
            new Command(List.of("docker", "rmi", "-f", tag)).run(Duration.ofSeconds(60));
        }
    }

    private static void git(String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("git", "-C", TREE.toString()));
        argv.addAll(List.of(args));
        assertThat(new Command(argv).run(Duration.ofSeconds(30)).ok()).as("git %s", List.of(args)).isTrue();
    }

    @Test
    void theImageRunsTheTreesQemuWithItsFirmwareAndRecordsWhereItCameFrom() throws Exception {
        BuildTreeQemuImage image = BuildTreeQemuImage.of(TREE);
        assertThat(image.tag()).startsWith(BuildTreeQemuImage.REPOSITORY + ":" + Qemu.binary().version() + "-");
        assertThat(BuildTreeQemuImage.of(TREE).tag()).as("the same tree, the same tag: built once").isEqualTo(image.tag());
        String tag = image.ensureBuilt();
        BUILT.add(tag);

        ImageVersions v = DebianQemuImage.versions(tag).orElseThrow();
        assertThat(v.suite()).isEqualTo("build-dir");
        assertThat(v.qemu()).startsWith("QEMU emulator version " + Qemu.binary().version());
        assertThat(v.packages()).containsEntry("build-dir", TREE.toString()).containsEntry("git-describe", "v0-fake-build");

        // Self-contained: the tree is gone from the host while its image runs a machine with its firmware.
        Path moved = Files.move(TREE, TREE.resolveSibling("fake-qemu-build.away"));
        try (QemuContainer container = QemuContainer.start(tag, QemuContainer.defaultMounts())) {
            QemuBinary qemu = QemuBinary.locate(container, null).requireVmclock();
            assertThat(qemu.version()).isEqualTo(Qemu.binary().version());
            try (Machine m = Machine.start(qemu, MachineSpec.builder().build())) {
                VmclockPage boot = m.readPage().page();
                assertThat(boot.magicIsValid()).isTrue();
            }
        } finally {
            Files.move(moved, TREE);
        }
    }

    @Test
    void changedFirmwareIsAnotherImage() throws Exception {
        String before = BuildTreeQemuImage.of(TREE).tag();
        Path blob = TREE.resolve("pc-bios/extra-option.rom");
        Files.writeString(blob, "changed");
        try {
            assertThat(BuildTreeQemuImage.of(TREE).tag()).isNotEqualTo(before);
        } finally {
            Files.delete(blob);
        }
    }

    @Test
    void aDirectoryWithoutQemuIsOneLine(@TempDir Path empty) {
        HarnessException e = catchThrowableOfType(HarnessException.class, () -> BuildTreeQemuImage.of(empty));
        assertThat(e.exitCode()).isEqualTo(ExitCode.QEMU_NOT_FOUND);
        assertThat(e.getMessage()).startsWith("no qemu-system-x86_64 in " + empty).contains("--target-list")
                .doesNotContain("\n");
    }
}
