package dev.vmclock.harness.qemu;

import dev.vmclock.harness.TiedProcesses;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Device;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.Waits;
import dev.vmclock.images.GuestImageBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * QEMU inside a container, started through Testcontainers: one long-lived container per image, in which
 * every QEMU and qemu-img of the run is a {@code docker exec}. The host's directories where run
 * directories, state files and guest images live are bind-mounted at the same paths, and the container
 * shares the host's network, so sockets, dumps, kernels and loopback migration work unchanged.
 *
 * <p>Lifetime: PID 1 is {@code cat} reading a stdin that this JVM holds through an attach with
 * StdinOnce. When the JVM ends, even by {@code kill -9}, the kernel closes the attach connection, the
 * daemon closes cat's stdin, cat exits, the container stops with every QEMU in it and is auto-removed.
 * ({@code setpriv --pdeathsig} cannot reach into a container: a {@code docker exec} client dying
 * leaves its process running.)
 */
public final class QemuContainer implements QemuHost, AutoCloseable {

    /** Where QEMU writes its pid (in its run directory, so the host can read it for a forced kill). */
    static final String PIDFILE = "qemu.pid";
    private static final Path DEV_KVM = Path.of("/dev/kvm");
    private static final Map<String, QemuContainer> SHARED = new ConcurrentHashMap<>();

    private final String image;
    private final String imageId;
    private final Lifeline lifeline;
    private final GenericContainer<?> container;

    private QemuContainer(String image, String imageId, Lifeline lifeline, GenericContainer<?> container) {
        this.image = image;
        this.imageId = imageId;
        this.lifeline = lifeline;
        this.container = container;
    }

    /** The container for {@code image}, started on first use and kept for the life of this JVM. */
    public static QemuContainer shared(String image) {
        return shared(image, List.of());
    }

    /**
     * As {@link #shared(String)}, with the directories of further files QEMU must read (a user's kernel
     * and initramfs, a page override) mounted too; each set of mounts has its own container.
     */
    public static QemuContainer shared(String image, List<Path> filesToShare) {
        List<Path> mounts = defaultMounts(filesToShare);
        return SHARED.computeIfAbsent(image + " " + mounts, k -> start(image, mounts));
    }

    /** Whether {@link #shared(String, List)} would return a container already running (not start one). */
    public static boolean isShared(String image, List<Path> filesToShare) {
        return SHARED.containsKey(image + " " + defaultMounts(filesToShare));
    }

    /** The host directories QEMU reads or writes: run directories (temp) and the guest-image cache. */
    public static List<Path> defaultMounts() {
        return defaultMounts(List.of());
    }

    private static List<Path> defaultMounts(List<Path> filesToShare) {
        Set<Path> mounts = new LinkedHashSet<>();
        mounts.add(Path.of(System.getProperty("java.io.tmpdir")));
        Optional.ofNullable(System.getenv(RunDirectory.ENV)).map(Path::of).ifPresent(mounts::add);
        mounts.add(GuestImageBuilder.defaultCacheRoot());
        filesToShare.forEach(f -> mounts.add(f.toAbsolutePath().getParent()));
        List<Path> real = new ArrayList<>();
        for (Path p : mounts) {
            try {
                Files.createDirectories(p);
                real.add(p.toRealPath());
            } catch (IOException e) {
                throw new HarnessException(ExitCode.OUTPUT_NOT_WRITABLE, "cannot create " + p + " to share with the container: "
                        + e.getMessage(), e);
            }
        }
        // A directory inside another mount is visible already: mount only the outermost ones.
        return real.stream().distinct().filter(p -> real.stream().noneMatch(o -> !o.equals(p) && p.startsWith(o))).toList();
    }

    /** Starts a container of the local image {@code image} with {@code mounts} bind-mounted at their own paths. */
    public static QemuContainer start(String image, List<Path> mounts) {
        DockerClient docker = docker();
        String imageId;
        try {
            imageId = docker.inspectImageCmd(image).exec().getId();
        } catch (NotFoundException e) {
            throw new HarnessException(ExitCode.QEMU_NOT_FOUND, "container image " + image
                    + " is not on the Docker host (nothing is pulled): build or load it first (docker load, docker build)");
        }
        Lifeline lifeline = new Lifeline();
        GenericContainer<?> c = new LifelineContainer(DockerImageName.parse(image), lifeline)
                .withImagePullPolicy(name -> false)
                .withNetworkMode("host")
                .withLabel("dev.vmclock.conformance", "qemu-host")
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withEntrypoint("cat").withCmd(List.of()).withStdinOpen(true).withStdInOnce(true)
                            .withAttachStdin(true);
                    cmd.getHostConfig().withAutoRemove(true);
                    if (Files.exists(DEV_KVM)) {
                        cmd.getHostConfig().withDevices(Device.parse(DEV_KVM + ":" + DEV_KVM + ":rwm"));
                    }
                });
        for (Path m : mounts) {
            c.withFileSystemBind(m.toString(), m.toString(), BindMode.READ_WRITE);
        }
        try {
            c.start();
        } catch (RuntimeException e) {
            lifeline.cut();
            throw new HarnessException(ExitCode.QEMU_NOT_FOUND, "cannot start a container of " + image + ": "
                    + rootMessage(e) + " (its PID 1 is 'cat': the image needs it)", e);
        }
        return new QemuContainer(image, imageId, lifeline, c);
    }

    private static DockerClient docker() {
        if (!Boolean.parseBoolean(TestcontainersConfiguration.getInstance().getEnvVarOrUserProperty("ryuk.disabled", "false"))) {
            // Ryuk is an image pulled from a registry; the lifeline makes it unnecessary here.
            throw new HarnessException(ExitCode.USAGE, "container targets pull nothing: set TESTCONTAINERS_RYUK_DISABLED=true"
                    + " (./vmclock-conformance does) and TESTCONTAINERS_CHECKS_DISABLE=true");
        }
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new HarnessException(ExitCode.QEMU_NOT_FOUND,
                    "Docker is not reachable (DOCKER_HOST or /var/run/docker.sock): start dockerd (./setup.sh does) or drop --container");
        }
        return DockerClientFactory.instance().client();
    }

    public String containerId() {
        return container.getContainerId();
    }

    public String image() {
        return image;
    }

    /**
     * A short command in the container, through the Docker API on the client Testcontainers already holds: a
     * {@code docker exec} CLI process costs about 0.1 s more each (measured idle here), a dozen times per run.
     * Exit codes are the daemon's, as the CLI passes them on (126/127: cannot execute, not found).
     */
    @Override
    public Command.Result run(List<String> argv, Duration timeout) throws IOException {
        DockerClient docker = DockerClientFactory.instance().client();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String execId;
        try {
            execId = docker.execCreateCmd(containerId()).withCmd(argv.toArray(String[]::new)).withAttachStdout(true)
                    .withAttachStderr(true).exec().getId();
            ResultCallback.Adapter<Frame> done = docker.execStartCmd(execId).exec(new ResultCallback.Adapter<>() {
                @Override
                public void onNext(Frame frame) {
                    (frame.getStreamType() == StreamType.STDERR ? err : out).writeBytes(frame.getPayload());
                }
            });
            if (!done.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                done.close();
                throw new IOException("no answer within " + timeout.toSeconds() + " s from " + argv + " in " + describe());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + argv + " in " + describe(), e);
        } catch (RuntimeException e) {
            throw new IOException("cannot run " + argv + " in " + describe() + ": " + rootMessage(e), e);
        }
        Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
        return new Command.Result(code == null ? -1 : code.intValue(), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    @Override
    public Process start(List<String> argv, Path runDir) throws IOException {
        Path pidfile = runDir.resolve(PIDFILE);
        List<String> withPid = new ArrayList<>(argv);
        withPid.addAll(List.of("-pidfile", pidfile.toString()));
        Process client = TiedProcesses.start(exec(withPid), runDir.resolve("qemu.stdout"), runDir.resolve("qemu.stderr"));
        return new ContainerProcess(client, this, pidfile);
    }

    /** SIGKILL inside the container: killing the {@code docker exec} client would leave QEMU running. */
    void kill(long pidInContainer) throws IOException {
        run(List.of("kill", "-9", Long.toString(pidInContainer)), Duration.ofSeconds(10));
    }

    private List<String> exec(List<String> argv) {
        List<String> cmd = new ArrayList<>(List.of("docker", "exec", containerId()));
        cmd.addAll(argv);
        return cmd;
    }

    @Override
    public String describe() {
        return "container image " + image + " (" + imageId.substring(0, Math.min(19, imageId.length())) + ")";
    }

    @Override
    public void close() {
        SHARED.values().remove(this);
        lifeline.cut();
        String id = container.getContainerId();
        container.stop();
        // The daemon removes an auto-removed container after it stops, asynchronously: close returns once it is gone
        // (seen in CI: still listed right after stop()), so that nothing outlives its owner even for a moment.
        Waits.poll(Duration.ofSeconds(10), Duration.ofMillis(50), () -> exists(id), exists -> !exists);
    }

    private static boolean exists(String id) {
        try {
            DockerClientFactory.instance().client().inspectContainerCmd(id).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage()).lines().findFirst().orElse("");
    }

    @Override
    public String toString() {
        return "QemuContainer[" + image + ", " + containerId() + "]";
    }

    /** Attaches the JVM's lifeline to the container's stdin between create and start (no window to leak it). */
    private static final class LifelineContainer extends GenericContainer<LifelineContainer> {
        private final Lifeline lifeline;

        LifelineContainer(DockerImageName image, Lifeline lifeline) {
            super(image);
            this.lifeline = lifeline;
        }

        @Override
        protected void containerIsCreated(String containerId) {
            getDockerClient().attachContainerCmd(containerId).withStdIn(lifeline).withFollowStream(true)
                    .exec(new ResultCallback.Adapter<Frame>());
        }
    }

    /** A stdin that never sends a byte and ends only when cut (or when the JVM, and with it the socket, dies). */
    private static final class Lifeline extends InputStream {
        private final CountDownLatch cut = new CountDownLatch(1);

        @Override
        public int read() throws IOException {
            try {
                cut.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return len == 0 ? 0 : read();
        }

        void cut() {
            cut.countDown();
        }

        @Override
        public void close() {
            cut();
        }
    }
}
