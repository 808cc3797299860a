package dev.vmclock.harness.qemu;

import dev.vmclock.harness.TiedProcesses;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where QEMU runs: this machine ({@link #LOCAL}) or a container ({@link QemuContainer}). Paths in argv
 * (run directories, sockets, kernels, state files) mean the same on both sides: a container sees the
 * host's directories bind-mounted at the same paths.
 */
public interface QemuHost {

    QemuHost LOCAL = new LocalHost();

    /** Runs a short helper (qemu --version, qemu-img) to completion. */
    Command.Result run(List<String> argv, Duration timeout) throws IOException;

    /**
     * Starts a long-lived QEMU; its stdout and stderr go to {@code qemu.stdout} and {@code qemu.stderr}
     * in {@code runDir}. The process never outlives this JVM, even after {@code kill -9} of the JVM.
     */
    Process start(List<String> argv, Path runDir) throws IOException;

    /** True for this machine: the binary's path can be checked and timestamped directly. */
    default boolean isLocal() {
        return false;
    }

    /** For messages: {@code local} or the container image. */
    String describe();

    /** The local host: plain processes under {@code setpriv --pdeathsig KILL} (see {@link dev.vmclock.harness.TiedProcesses}). */
    final class LocalHost implements QemuHost {
        private LocalHost() {
        }

        @Override
        public Command.Result run(List<String> argv, Duration timeout) throws IOException {
            return new Command(argv).run(timeout);
        }

        @Override
        public Process start(List<String> argv, Path runDir) throws IOException {
            return TiedProcesses.start(argv, runDir.resolve("qemu.stdout"), runDir.resolve("qemu.stderr"));
        }

        @Override
        public boolean isLocal() {
            return true;
        }

        @Override
        public String describe() {
            return "local";
        }
    }
}
