package dev.vmclock.harness.qemu;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shell recipe of the Debian container images, shipped as classpath resources
 * ({@code dev/vmclock/images/containers/}, next to the guest image's {@code debian-mirror.sh}), and its hash.
 * The hash covers the files {@code recipe.files} lists, in that order; {@code debian-image.sh} computes the
 * same, and tags end in its first 12 hex digits (see {@link #hash(Kind)}).
 */
public final class ImageRecipe {

    public static final String RESOURCE_BASE = "dev/vmclock/images/containers/";
    public static final String INDEX = "recipe.files";
    public static final String SCRIPT = "debian-image.sh";
    /** Sourced by the recipe to find the mirror; not hashed (it finds the mirror, it adds nothing to an image). */
    private static final String MIRROR_HELPER = "dev/vmclock/images/debian-mirror.sh";

    private final Map<String, byte[]> files;

    ImageRecipe(Map<String, byte[]> files) {
        this.files = new LinkedHashMap<>(files);
    }

    /** The recipe on the classpath. */
    public static ImageRecipe shipped() {
        List<String> names = new ArrayList<>();
        for (String line : new String(resource(RESOURCE_BASE + INDEX), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String n : names) {
            files.put(n, resource(RESOURCE_BASE + n));
        }
        return new ImageRecipe(files);
    }

    /** The recipe's image kinds: the bare base, QEMU, and the kernel-module build image. */
    public enum Kind {
        BASE, QEMU, KBUILD;

        String installer() {
            return "install-" + name().toLowerCase(java.util.Locale.ROOT) + ".sh";
        }
    }

    /**
     * SHA-256 (hex) over, for each file in order except the other kinds' {@code install-*.sh}, {@code
     * "<name>\n<byte length>\n<bytes>"}: a change to one kind's installer leaves the other images valid.
     */
    public String hash(Kind kind) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        files.forEach((name, bytes) -> {
            if (name.startsWith("install-") && name.endsWith(".sh") && !name.equals(kind.installer())) {
                return;
            }
            md.update((name + "\n" + bytes.length + "\n").getBytes(StandardCharsets.UTF_8));
            md.update(bytes);
        });
        return HexFormat.of().formatHex(md.digest());
    }

    /** The part of the hash that ends every tag of {@code kind}. */
    public String shortHash(Kind kind) {
        return hash(kind).substring(0, 12);
    }

    /** Writes the recipe, its index and the mirror helper into a new private directory, for {@code bash}. */
    Path extract() throws IOException {
        Path dir = Files.createTempDirectory("vmclock-image-recipe-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
        Files.writeString(dir.resolve(INDEX), String.join("\n", files.keySet()) + "\n");
        Files.write(dir.resolve("debian-mirror.sh"), resource(MIRROR_HELPER));
        return dir;
    }

    private static byte[] resource(String name) {
        try (InputStream in = ImageRecipe.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new HarnessException(ExitCode.HARNESS_ERROR, "resource " + name
                        + " is missing from the classpath; rebuild the guest-images module");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "cannot read resource " + name + ": " + e.getMessage(), e);
        }
    }
}
