package dev.vmclock.harness.qemu;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.images.FileTree;
import dev.vmclock.images.GuestImageBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's QEMU as container images, built on the Docker host from {@link ImageRecipe} (nothing is pulled):
 * a {@code debootstrap --variant=minbase} base, {@code docker import}ed, then {@code apt-get install -t SUITE
 * qemu-system-x86 qemu-utils} on it with {@code docker build}. Also the kernel-module build image for the
 * guest's out-of-tree drivers ({@link #kbuild(String)}).
 *
 * <p>Tags are {@code <repository>/qemu-debian:<suite>-<recipe hash>}, {@code <repository>/kbuild-debian:<abi>-<hash>}
 * and {@code <repository>/debian-base:<codename>-<hash>}: each recipe is built once per Docker host, and a
 * changed recipe builds new images. Each image records its package versions ({@link #versions(String)}).
 */
public final class DebianQemuImage {

    public static final String DEFAULT_REPOSITORY = "vmclock-conformance";
    /** Environment variable overriding the mirror (as for the guest image). */
    public static final String MIRROR_ENV = "VMCLOCK_DEBIAN_MIRROR";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(40);

    private final ImageRecipe recipe;
    private final String repository;
    private final String mirror;

    private DebianQemuImage(ImageRecipe recipe, String repository, String mirror) {
        this.recipe = recipe;
        this.repository = repository;
        this.mirror = mirror;
    }

    /** The shipped recipe, default repository, mirror from {@value #MIRROR_ENV} or the apt sources. */
    public static DebianQemuImage shipped() {
        return new DebianQemuImage(ImageRecipe.shipped(), DEFAULT_REPOSITORY, null);
    }

    /** The same recipe with another mirror URI (null: the default). */
    public DebianQemuImage withMirror(String mirrorUri) {
        return new DebianQemuImage(recipe, repository, mirrorUri);
    }

    /** The same recipe tagged under another repository prefix (tests, to build outside the shared names). */
    public DebianQemuImage withRepository(String repositoryPrefix) {
        return new DebianQemuImage(recipe, repositoryPrefix, mirror);
    }

    public String recipeHash(ImageRecipe.Kind kind) {
        return recipe.hash(kind);
    }

    /** The tag of the QEMU image of {@code suite}; builds nothing. */
    public String tag(DebianSuite suite) {
        return repository + "/qemu-debian:" + tagPart(suite.suite()) + "-" + recipe.shortHash(ImageRecipe.Kind.QEMU);
    }

    /** The tag of the kernel-module build image for the cloud kernel {@code kernelAbi}; builds nothing. */
    public String kbuildTag(String kernelAbi) {
        return repository + "/kbuild-debian:" + tagPart(kernelAbi) + "-" + recipe.shortHash(ImageRecipe.Kind.KBUILD);
    }

    /** The tag of the bare base image of {@code codename}; builds nothing. */
    public String baseTag(String codename) {
        return repository + "/debian-base:" + tagPart(codename) + "-" + recipe.shortHash(ImageRecipe.Kind.BASE);
    }

    /** The QEMU image of {@code suite}, built now if this Docker host does not have it. */
    public String ensureBuilt(DebianSuite suite) {
        return build("qemu", suite.suite(), tag(suite), ExitCode.QEMU_NOT_FOUND);
    }

    /**
     * The image to compile out-of-tree modules for the trixie-backports cloud kernel {@code kernelAbi}
     * (as in the guest manifest's {@code kernel_abi}, e.g. {@code 7.3.4+deb13}), built now if missing:
     * gcc-14, make, {@code /usr/src/linux-headers-<abi>-cloud-amd64} and {@code /usr/src/linux-source-<x.y>.tar.xz}.
     */
    public String kbuild(String kernelAbi) {
        return build("kbuild", kernelAbi, kbuildTag(kernelAbi), ExitCode.GUEST_IMAGE);
    }

    /** Whether the Docker host has {@code tag}; false when Docker does not answer. */
    public static boolean isBuilt(String tag) {
        return inspectLabel(tag).isPresent();
    }

    /** What the image {@code tag} recorded about its packages, if it is on the Docker host. */
    public static Optional<ImageVersions> versions(String tag) {
        return inspectLabel(tag).filter(s -> !s.isBlank()).map(ImageVersions::parse);
    }

    /** The label's value ("" when absent), or empty when the image is missing or Docker does not answer. */
    private static Optional<String> inspectLabel(String tag) {
        try {
            Command.Result r = Command.of("docker", "image", "inspect", "--format",
                    "{{index .Config.Labels \"" + ImageVersions.LABEL + "\"}}", tag).run(Duration.ofSeconds(20));
            return r.ok() ? Optional.of(r.stdout().strip().replace("<no value>", "")) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** One lock per tag: concurrent runs of one JVM ask for the same image, and only one of them may build it. */
    private static final Map<String, Object> BUILD_LOCKS = new ConcurrentHashMap<>();

    private String build(String kind, String arg, String tag, ExitCode failure) {
        synchronized (BUILD_LOCKS.computeIfAbsent(tag, t -> new Object())) {
            return isBuilt(tag) ? tag : buildNow(kind, arg, tag, failure);
        }
    }

    private String buildNow(String kind, String arg, String tag, ExitCode failure) {
        Path log = logFile(tag);
        Path dir = null;
        try {
            dir = recipe.extract();
            ProcessBuilder pb = new ProcessBuilder("bash", dir.resolve(ImageRecipe.SCRIPT).toString(), "build", kind, arg)
                    .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("VMCLOCK_IMAGE_REPOSITORY", repository);
            if (mirror != null) {
                pb.environment().put(MIRROR_ENV, mirror);
            }
            Path out = dir.resolve("tag.out");
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            if (!p.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new HarnessException(failure, "building " + tag + " took over " + BUILD_TIMEOUT.toMinutes()
                        + " min; check the network and the mirror (log " + log + ")");
            }
            if (p.exitValue() != 0) {
                throw new HarnessException(p.exitValue() == 2 ? ExitCode.USAGE : failure,
                        "cannot build " + tag + ": " + errorLine(log, p.exitValue()) + " (log " + log + ")");
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8).strip();
            if (!stdout.equals(tag)) {
                throw new HarnessException(ExitCode.HARNESS_ERROR, "the image recipe built " + stdout + ", expected " + tag
                        + "; DebianQemuImage and debian-image.sh disagree on tags");
            }
            return tag;
        } catch (IOException e) {
            throw new HarnessException(failure, "cannot run the image recipe (bash " + ImageRecipe.SCRIPT + "): "
                    + e.getMessage() + "; install bash or run ./setup.sh", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException(failure, "interrupted while building " + tag, e);
        } finally {
            FileTree.deleteQuietly(dir);
        }
    }

    /** Where a build's output goes: {@code <cache>/container-images/<tag>.log}, kept for the next look. */
    private static Path logFile(String tag) {
        Path dir = GuestImageBuilder.defaultCacheRoot().resolve("container-images");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new HarnessException(ExitCode.OUTPUT_NOT_WRITABLE, "cannot create " + dir + " (" + e.getMessage()
                    + "); set " + GuestImageBuilder.CACHE_DIR_ENV + " to a writable directory", e);
        }
        return dir.resolve(tag.replaceAll("[^A-Za-z0-9_.-]", "_") + ".log");
    }

    /** The recipe's last {@code ERROR: } line (it prints one per failure), else the exit status. */
    private static String errorLine(Path log, int status) {
        try (Stream<String> lines = Files.lines(log)) {
            List<String> errors = new ArrayList<>(lines.filter(l -> l.startsWith("ERROR: ")).toList());
            if (!errors.isEmpty()) {
                return errors.get(errors.size() - 1).substring("ERROR: ".length());
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // fall through to the status
        }
        return "the recipe exited with status " + status;
    }

    private static String tagPart(String s) {
        return s.replaceAll("[^A-Za-z0-9_.-]", "-");
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroy); // TERM: the recipe's trap removes its work directory
        p.destroy();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
