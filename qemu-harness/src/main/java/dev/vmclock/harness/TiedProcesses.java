package dev.vmclock.harness;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts the processes the suite drives (QEMU, a vsock back end, an adapter, Firecracker, Cloud Hypervisor) so that
 * none outlives this JVM.
 *
 * <p>Two mechanisms: a shutdown hook kills what is still running on a normal JVM exit, and, for {@code kill -9} of
 * the JVM where no hook runs, every process is started under {@code setpriv --pdeathsig KILL}, so the kernel kills
 * it when its parent dies. The parent-death signal fires when the <em>thread</em> that forked the child exits, so all
 * launches go through one long-lived thread that never ends before the JVM does (a test's own thread may well end
 * first).
 */
public final class TiedProcesses {

    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tied-launcher");
        t.setDaemon(true);
        return t;
    });

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "tied-reaper"));
    }

    private TiedProcesses() {
    }

    /** {@code argv} with stdin from /dev/null and its output in {@code stdout} and {@code stderr}. */
    public static Process start(List<String> argv, Path stdout, Path stderr) throws IOException {
        return start(new ProcessBuilder(argv).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
    }

    /** {@code pb} as it is set up, its command run under {@code setpriv --pdeathsig KILL} where the host has it. */
    public static Process start(ProcessBuilder pb) throws IOException {
        if (Files.isExecutable(SETPRIV)) {
            List<String> cmd = new ArrayList<>(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
            cmd.addAll(pb.command());
            pb.command(cmd);
        }
        Future<Process> f = LAUNCHER.submit(pb::start);
        try {
            Process p = f.get();
            LIVE.add(p);
            p.onExit().thenRun(() -> LIVE.remove(p));
            return p;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + pb.command(), e);
        }
    }
}
