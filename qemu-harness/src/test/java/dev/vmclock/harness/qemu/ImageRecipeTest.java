package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.harness.qemu.ImageRecipe.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The recipe hash that ends every image tag: what changes it, what does not, and that the shell agrees. */
class ImageRecipeTest {

    private static final DebianQemuImage SHIPPED = DebianQemuImage.shipped();

    private static ImageRecipe recipe(String driver, String qemu, String kbuild) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("debian-image.sh", driver.getBytes(StandardCharsets.UTF_8));
        files.put("install-qemu.sh", qemu.getBytes(StandardCharsets.UTF_8));
        files.put("install-kbuild.sh", kbuild.getBytes(StandardCharsets.UTF_8));
        return new ImageRecipe(files);
    }

    @Test
    void hashIsSha256OverNameLengthAndBytes() {
        // sha256 of "debian-image.sh\n1\nA" (printf 'debian-image.sh\n1\nA' | sha256sum)
        assertThat(recipe("A", "q", "k").hash(Kind.BASE))
                .isEqualTo(ImageRecipeTest.sha256("debian-image.sh\n1\nA"));
        assertThat(recipe("A", "q", "k").hash(Kind.QEMU))
                .isEqualTo(ImageRecipeTest.sha256("debian-image.sh\n1\nAinstall-qemu.sh\n1\nq"));
    }

    @Test
    void anInstallerChangesOnlyItsOwnKind() {
        ImageRecipe a = recipe("driver", "qemu", "kbuild");
        ImageRecipe b = recipe("driver", "qemu", "kbuild changed");
        assertThat(b.hash(Kind.KBUILD)).isNotEqualTo(a.hash(Kind.KBUILD));
        assertThat(b.hash(Kind.QEMU)).isEqualTo(a.hash(Kind.QEMU));
        assertThat(b.hash(Kind.BASE)).isEqualTo(a.hash(Kind.BASE));
    }

    @Test
    void theDriverChangesEveryKind() {
        ImageRecipe a = recipe("driver", "qemu", "kbuild");
        ImageRecipe b = recipe("driver ", "qemu", "kbuild");
        for (Kind k : Kind.values()) {
            assertThat(b.hash(k)).as("%s", k).isNotEqualTo(a.hash(k));
        }
    }

    @Test
    void lengthPrefixKeepsBoundariesApart() {
        assertThat(recipe("ab", "c", "").hash(Kind.QEMU)).isNotEqualTo(recipe("a", "bc", "").hash(Kind.QEMU));
    }

    @Test
    void tagsNameTheSuiteTheVersionAndTheHash() {
        String h = ImageRecipe.shipped().shortHash(Kind.QEMU);
        assertThat(SHIPPED.tag(DebianSuite.TRIXIE_BACKPORTS)).isEqualTo("vmclock-conformance/qemu-debian:trixie-backports-" + h);
        assertThat(SHIPPED.kbuildTag("7.3.4+deb13")).matches("vmclock-conformance/kbuild-debian:7\\.3\\.4-deb13-[0-9a-f]{12}");
        assertThat(SHIPPED.withRepository("elsewhere").baseTag("trixie")).startsWith("elsewhere/debian-base:trixie-");
    }

    @Test
    void theShellRecipeDerivesTheSameTags() throws Exception {
        Path dir = ImageRecipe.shipped().extract();
        try {
            for (String[] kindArg : new String[][] {{"base", "trixie"}, {"qemu", "trixie-backports"}, {"qemu", "bookworm-backports"},
                    {"kbuild", "7.3.4+deb13"}}) {
                Command.Result r = Command.of("bash", dir.resolve(ImageRecipe.SCRIPT).toString(), "tag", kindArg[0], kindArg[1])
                        .run(Duration.ofSeconds(20));
                assertThat(r.exitCode()).as(r.stderr()).isZero();
                String expected = switch (kindArg[0]) {
                    case "base" -> SHIPPED.baseTag(kindArg[1]);
                    case "qemu" -> SHIPPED.tag(DebianSuite.parse(kindArg[1]));
                    default -> SHIPPED.kbuildTag(kindArg[1]);
                };
                assertThat(r.stdout().strip()).isEqualTo(expected);
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String sha256(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
