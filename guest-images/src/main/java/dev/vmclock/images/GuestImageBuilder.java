package dev.vmclock.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Builds the guest image from the recipe shipped in this jar ({@code dev/vmclock/images/}:
 * {@code build-image.sh}, {@code debian-mirror.sh}, {@code init}, {@code agent/vmclock-agent.c}),
 * once per recipe: the image lives in
 * {@code ${VMCLOCK_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/vmclock-conformance}/images/<recipe hash>/}.
 *
 * <p>{@link #ensureBuilt()} returns a cached image without starting any process. Otherwise it
 * runs {@code build-image.sh} into a temporary directory inside the cache, streaming its output to
 * {@code images/<hash>.build.log}, and renames the directory into place atomically, so a
 * half-written image is never visible. A file lock ({@code images/<hash>.lock}) keeps two JVMs
 * (and a lock per path, two threads) from building at once.
 */
public final class GuestImageBuilder {

    /** Classpath folder of the recipe. */
    public static final String RESOURCE_BASE = "dev/vmclock/images/";
    /** Recipe index: the recipe's resource names, one per line, in hashing order. */
    public static final String RECIPE_INDEX = "recipe.files";
    /** The recipe's entry point, run as {@code bash build-image.sh OUTDIR}. */
    public static final String BUILD_SCRIPT = "build-image.sh";
    /** Folder (under the recipe's) of the container images' recipe, which builds the kernel-module build image. */
    static final String CONTAINERS = "containers/";
    /** Environment variable naming the cache directory. */
    public static final String CACHE_DIR_ENV = "VMCLOCK_CACHE_DIR";
    /** Environment variable (and system property {@code vmclock.kbuildImage}) naming the kernel-module build image. */
    public static final String KBUILD_IMAGE_ENV = "VMCLOCK_KBUILD_IMAGE";

    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);
    private static final int TAIL_LINES = 30;
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path cacheRoot;
    private final String resourceBase;
    private final List<String> resourceNames;
    private final ClassLoader loader;
    private final Duration timeout;
    private final VirtioRtcModule virtioRtc;
    private final PtpVmclockModule ptpVmclock;
    private final String kbuildImage;
    private volatile String recipeHash;

    /** The shipped recipe, cached under {@link #defaultCacheRoot()}. */
    public GuestImageBuilder() {
        this(defaultCacheRoot());
    }

    /** The shipped recipe, cached under {@code cacheRoot}. */
    public GuestImageBuilder(Path cacheRoot) {
        this(cacheRoot, RESOURCE_BASE, null);
    }

    /**
     * Another recipe (tests): {@code resourceNames} under the classpath folder
     * {@code resourceBase}, hashed in that order; {@code null} reads them from the folder's
     * {@value #RECIPE_INDEX}. The list must contain {@value #BUILD_SCRIPT}.
     */
    public GuestImageBuilder(Path cacheRoot, String resourceBase, List<String> resourceNames) {
        this(cacheRoot, resourceBase, resourceNames, DEFAULT_TIMEOUT, VirtioRtcModule.NONE, PtpVmclockModule.STOCK,
                defaultKbuildImage());
    }

    private GuestImageBuilder(Path cacheRoot, String resourceBase, List<String> resourceNames, Duration timeout,
                              VirtioRtcModule virtioRtc, PtpVmclockModule ptpVmclock, String kbuildImage) {
        this.cacheRoot = cacheRoot.toAbsolutePath().normalize();
        this.resourceBase = resourceBase.endsWith("/") ? resourceBase : resourceBase + "/";
        this.loader = GuestImageBuilder.class.getClassLoader();
        this.resourceNames = List.copyOf(resourceNames != null ? resourceNames : readIndex());
        if (!this.resourceNames.contains(BUILD_SCRIPT)) {
            throw new IllegalArgumentException("recipe " + this.resourceBase + " has no " + BUILD_SCRIPT);
        }
        this.timeout = timeout;
        this.virtioRtc = virtioRtc;
        this.ptpVmclock = ptpVmclock;
        this.kbuildImage = kbuildImage;
    }

    /** The same builder with another limit on the build's run time (default 30 minutes). */
    public GuestImageBuilder withBuildTimeout(Duration buildTimeout) {
        return new GuestImageBuilder(cacheRoot, resourceBase, resourceNames, buildTimeout, virtioRtc, ptpVmclock,
                kbuildImage);
    }

    /**
     * The same recipe with (or without) {@code virtio_rtc.ko}: another image, cached under its own hash. Building
     * it needs Docker and the kernel-module build image ({@link #kbuildImage(String)}).
     */
    public GuestImageBuilder withVirtioRtc(VirtioRtcModule module) {
        return new GuestImageBuilder(cacheRoot, resourceBase, resourceNames, timeout, module, ptpVmclock, kbuildImage);
    }

    /**
     * The same recipe with Debian's ptp_vmclock.ko or the deliberately broken build ({@link PtpVmclockModule#BROKEN}):
     * another image, cached under its own hash. The broken build needs Docker and the kernel-module build image.
     */
    public GuestImageBuilder withPtpVmclock(PtpVmclockModule module) {
        return new GuestImageBuilder(cacheRoot, resourceBase, resourceNames, timeout, virtioRtc, module, kbuildImage);
    }

    /**
     * The Docker image (Debian trixie with gcc-14, make, dpkg) virtio_rtc.ko is compiled in; default
     * {@code $VMCLOCK_KBUILD_IMAGE} or {@code -Dvmclock.kbuildImage}. Not part of the recipe hash: the manifest
     * records the image's id and compiler.
     */
    public GuestImageBuilder kbuildImage(String image) {
        return new GuestImageBuilder(cacheRoot, resourceBase, resourceNames, timeout, virtioRtc, ptpVmclock, image);
    }

    public VirtioRtcModule virtioRtc() {
        return virtioRtc;
    }

    public PtpVmclockModule ptpVmclock() {
        return ptpVmclock;
    }

    private static String defaultKbuildImage() {
        String p = System.getProperty("vmclock.kbuildImage");
        return p != null && !p.isBlank() ? p : System.getenv(KBUILD_IMAGE_ENV);
    }

    /** The recipe's options, hashed as a pseudo-file {@code options} after the resources; empty for none. */
    private String options() {
        return (virtioRtc == VirtioRtcModule.NONE ? "" : "virtio_rtc=" + virtioRtc.recipeName() + "\n")
                + (ptpVmclock == PtpVmclockModule.STOCK ? "" : "ptp_vmclock=" + ptpVmclock.recipeName() + "\n");
    }

    /** {@code ${VMCLOCK_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/vmclock-conformance}}. */
    public static Path defaultCacheRoot() {
        return defaultCacheRoot(System.getenv(), System.getProperty("user.home"));
    }

    static Path defaultCacheRoot(Map<String, String> env, String userHome) {
        String dir = env.get(CACHE_DIR_ENV);
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(userHome, ".cache");
        return base.resolve("vmclock-conformance");
    }

    public Path cacheRoot() {
        return cacheRoot;
    }

    public List<String> resourceNames() {
        return resourceNames;
    }

    /**
     * SHA-256 (hex) over the recipe: for each resource in order, its name, a newline, its length
     * in bytes as a decimal number, a newline, and its bytes; then the same for a pseudo-file named
     * {@code options} when the image has options ({@code virtio_rtc=<variant>}, {@code ptp_vmclock=broken}).
     * build-image.sh computes the same.
     */
    public String recipeHash() {
        String h = recipeHash;
        if (h == null) {
            MessageDigest md;
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            for (String name : resourceNames) {
                byte[] bytes = resource(name);
                md.update((name + "\n" + bytes.length + "\n").getBytes(StandardCharsets.UTF_8));
                md.update(bytes);
            }
            byte[] options = options().getBytes(StandardCharsets.UTF_8);
            if (options.length > 0) {
                md.update(("options\n" + options.length + "\n").getBytes(StandardCharsets.UTF_8));
                md.update(options);
            }
            recipeHash = h = HexFormat.of().formatHex(md.digest());
        }
        return h;
    }

    /** Where the image of this recipe is (or will be) cached. */
    public Path imageDirectory() {
        return cacheRoot.resolve("images").resolve(recipeHash());
    }

    /** The cached image, if built. Starts no process. */
    public Optional<GuestImage> cached() {
        Path dir = imageDirectory();
        if (!Files.isRegularFile(dir.resolve("manifest.json"))) {
            return Optional.empty();
        }
        return Optional.of(GuestImage.fromDirectory(dir));
    }

    /** The cached image; builds it first if there is none. */
    public GuestImage ensureBuilt() {
        Optional<GuestImage> hit = cached();
        if (hit.isPresent()) {
            return hit.get();
        }
        Path images = cacheRoot.resolve("images");
        String hash = recipeHash();
        Path lockFile = images.resolve(hash + ".lock");
        try {
            Files.createDirectories(images);
        } catch (IOException | UncheckedIOException e) {
            throw unwritable(images, e);
        }
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, k -> new ReentrantLock());
        jvmLock.lock();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            channel.lock(); // held until the channel closes; blocks while another JVM builds
            hit = cached(); // another JVM may have built it while we waited
            if (hit.isPresent()) {
                return hit.get();
            }
            return build(images, hash);
        } catch (IOException e) {
            throw unwritable(images, e);
        } finally {
            jvmLock.unlock();
        }
    }

    private GuestImage build(Path images, String hash) {
        removeStale(images, ".tmp-" + hash + "-");
        Path log = images.resolve(hash + ".build.log");
        Path recipeDir = null;
        Path out = null;
        boolean done = false;
        try {
            try {
                out = Files.createTempDirectory(images, ".tmp-" + hash + "-");
                Files.deleteIfExists(log);
                Files.createFile(log);
            } catch (IOException e) {
                throw unwritable(images, e);
            }
            recipeDir = extractRecipe();
            run(recipeDir, out, log, hash);
            for (String f : List.of("vmlinuz", "vmlinux", "initramfs.cpio.gz", "manifest.json")) {
                if (!Files.isRegularFile(out.resolve(f))) {
                    throw failure(BUILD_SCRIPT + " exited 0 but wrote no " + f + "; fix the recipe", log, null);
                }
            }
            Path dir = images.resolve(hash);
            try {
                Files.copy(log, out.resolve("build.log"), StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
                if (Files.exists(dir)) { // a leftover without manifest (cached() said no image)
                    FileTree.deleteQuietly(dir);
                }
                try {
                    Files.move(out, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("the cache file system cannot rename atomically", e);
                }
            } catch (FileAlreadyExistsException e) {
                throw failure("could not publish the image: " + dir + " appeared meanwhile; delete it and retry", log, e);
            } catch (IOException e) {
                throw failure("could not move the image into " + dir + " (" + e + "); set " + CACHE_DIR_ENV
                        + " to a writable local directory", log, e);
            }
            done = true;
            return GuestImage.fromDirectory(dir);
        } finally {
            if (recipeDir != null) {
                FileTree.deleteQuietly(recipeDir);
            }
            if (!done && out != null) {
                FileTree.deleteQuietly(out);
            }
        }
    }

    private void run(Path recipeDir, Path out, Path log, String hash) {
        ProcessBuilder pb = new ProcessBuilder("bash", recipeDir.resolve(BUILD_SCRIPT).toString(), out.toString())
                .directory(recipeDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("VMCLOCK_RECIPE_HASH", hash);
        pb.environment().put("VMCLOCK_VIRTIO_RTC", virtioRtc.recipeName());
        pb.environment().put("VMCLOCK_PTP_VMCLOCK", ptpVmclock.recipeName());
        if (kbuildImage != null && !kbuildImage.isBlank()) {
            pb.environment().put(KBUILD_IMAGE_ENV, kbuildImage);
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new GuestImageException("cannot run bash to build the guest image (" + e.getMessage()
                    + "); run ./setup.sh or install bash", e);
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw failure("the guest image build did not finish within " + timeout.toMinutes()
                        + " min; check the network and the mirror, or raise the limit with withBuildTimeout", log, null);
            }
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw failure("interrupted while building the guest image", log, e);
        }
        int rc = p.exitValue();
        if (rc != 0) {
            String error = lastErrorLine(log);
            String msg = error != null
                    ? "guest image build failed: " + error
                    : "guest image build failed with exit status " + rc + "; see the build log";
            throw failure(msg + " [exit " + rc + ", log " + log + "]", log, null);
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies the recipe into a private temporary directory. */
    private Path extractRecipe() {
        try {
            Path dir = Files.createTempDirectory("vmclock-recipe-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            for (String name : resourceNames) {
                Path target = dir.resolve(name).normalize();
                if (!target.startsWith(dir)) {
                    throw new IllegalArgumentException("resource name escapes the recipe: " + name);
                }
                Files.createDirectories(target.getParent());
                Files.write(target, resource(name));
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(
                        name.endsWith(".sh") || name.equals("init") ? "rwxr-xr-x" : "rw-r--r--"));
            }
            // The container images' recipe rides along, outside the hash: build-image.sh builds the kernel-module
            // build image with it when none is named (the manifest records which image built the module).
            if ((virtioRtc != VirtioRtcModule.NONE || ptpVmclock != PtpVmclockModule.STOCK) && loader.getResource(resourceBase + CONTAINERS + RECIPE_INDEX) != null) {
                List<String> tools = new ArrayList<>(List.of(RECIPE_INDEX));
                for (String line : new String(resource(CONTAINERS + RECIPE_INDEX), StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) {
                        tools.add(line.strip());
                    }
                }
                for (String name : tools) {
                    Path target = dir.resolve(CONTAINERS + name).normalize();
                    if (!target.startsWith(dir)) {
                        throw new IllegalArgumentException("resource name escapes the recipe: " + name);
                    }
                    Files.createDirectories(target.getParent());
                    Files.write(target, resource(CONTAINERS + name));
                }
            }
            if (!resourceNames.contains(RECIPE_INDEX)) { // lets build-image.sh check the hash
                Files.write(dir.resolve(RECIPE_INDEX), (String.join("\n", resourceNames) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return dir;
        } catch (IOException e) {
            throw new GuestImageException("cannot extract the image recipe into " + System.getProperty("java.io.tmpdir")
                    + " (" + e.getMessage() + "); set TMPDIR / -Djava.io.tmpdir to a writable directory", e);
        }
    }

    private List<String> readIndex() {
        String text = new String(resource(RECIPE_INDEX), StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        return names;
    }

    private byte[] resource(String name) {
        try (InputStream in = loader.getResourceAsStream(resourceBase + name)) {
            if (in == null) {
                throw new GuestImageException("recipe resource " + resourceBase + name
                        + " is missing from the classpath; rebuild the guest-images module");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new GuestImageException("cannot read recipe resource " + resourceBase + name + ": " + e.getMessage(), e);
        }
    }

    private static GuestImageException unwritable(Path dir, Exception e) {
        return new GuestImageException("guest image cache directory " + dir + " is not writable (" + e
                + "); set " + CACHE_DIR_ENV + " to a writable directory", e);
    }

    private static GuestImageException failure(String message, Path log, Throwable cause) {
        return new GuestImageException(message, log, tail(log), cause);
    }

    /** The last "ERROR: ..." line build-image.sh printed, without the prefix. */
    private static String lastErrorLine(Path log) {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.startsWith("ERROR: ")).reduce((a, b) -> b).map(l -> l.substring(7)).orElse(null);
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    private static String tail(Path log) {
        if (log == null) {
            return "";
        }
        ArrayDeque<String> last = new ArrayDeque<>();
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            lines.forEach(l -> {
                if (last.size() == TAIL_LINES) {
                    last.removeFirst();
                }
                last.addLast(l);
            });
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
        return String.join(System.lineSeparator(), last);
    }

    private static void removeStale(Path dir, String prefix) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, prefix + "*")) {
            for (Path p : ds) {
                FileTree.deleteQuietly(p);
            }
        } catch (IOException e) {
            // best effort: a stale temporary directory only wastes space
        }
    }
}
