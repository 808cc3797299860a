package dev.vmclock.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A second JVM on the test class path that starts a process and says its pid, then ends one of two ways: {@code exit}
 * (a normal exit when told, its shutdown hooks run) or {@code wait} (killed with SIGKILL, no hook runs): for what must
 * not outlive the JVM that started it.
 */
public final class ChildJvms {

    private ChildJvms() {
    }

    /**
     * Runs {@code main} with {@code args} (the last one the mode), reads its line {@code PREFIX=pid}, hands the pid to
     * {@code whileRunning}, ends the JVM as {@code mode} says and returns the pid.
     */
    public static long endAfterPid(Class<?> main, String pidPrefix, String mode, LongConsumer whileRunning,
                                   String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String[] cmd = new String[args.length + 4];
        cmd[0] = java.toString();
        cmd[1] = "-cp";
        cmd[2] = System.getProperty("java.class.path");
        cmd[3] = main.getName();
        System.arraycopy(args, 0, cmd, 4, args.length);
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        long pid = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(pidPrefix + "=")) {
                    pid = Long.parseLong(line.substring(pidPrefix.length() + 1));
                    break;
                }
            }
            assertThat(pid).as("child JVM reported %s", pidPrefix).isPositive();
            whileRunning.accept(pid);
            if (mode.equals("wait")) {
                child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            } else {
                child.getOutputStream().write('\n');
                child.getOutputStream().flush();
            }
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        return pid;
    }
}
