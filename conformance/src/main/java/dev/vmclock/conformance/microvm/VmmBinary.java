package dev.vmclock.conformance.microvm;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A VMM binary the user named, probed with {@code --version}: "Firecracker v1.15.0", "cloud-hypervisor v53.0".
 *
 * @param path        the binary
 * @param version     the version without its "v" ({@code 1.15.0}, {@code 53.0})
 * @param versionLine the line it printed
 */
public record VmmBinary(Path path, String version, String versionLine) {

    private static final Pattern VERSION = Pattern.compile("\\bv?(\\d+\\.\\d+(?:\\.\\d+)?[0-9A-Za-z.+~-]*)");

    /**
     * Probes the binary {@code option} names; a missing, non-executable or silent one is bad input (exit 2) naming the
     * option to fix.
     *
     * @param option the command-line option that names it ({@code --firecracker})
     * @param given  its value, if given
     */
    public static VmmBinary probe(String vmm, String option, Optional<String> given) {
        Path p = Path.of(given.orElseThrow(() -> new HarnessException(ExitCode.USAGE, "--vmm " + vmm + " needs "
                + option + " PATH (the " + vmm + " binary; none is packaged for this host, build or download it)")));
        if (!Files.exists(p)) {
            throw new HarnessException(ExitCode.USAGE, option + " " + p + ": no such file");
        }
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            throw new HarnessException(ExitCode.USAGE, option + " " + p + ": not an executable file (chmod +x " + p + ")");
        }
        String out;
        try {
            Process proc = new ProcessBuilder(p.toString(), "--version").redirectErrorStream(true).start();
            proc.getOutputStream().close();
            if (!proc.waitFor(10, TimeUnit.SECONDS)) {
                proc.destroyForcibly().waitFor();
                throw new HarnessException(ExitCode.USAGE, option + " " + p + ": '--version' did not return within 10 s");
            }
            out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new HarnessException(ExitCode.USAGE, option + " " + p + ": cannot run it: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException(ExitCode.HARNESS_ERROR, "interrupted probing " + p, e);
        }
        return parse(vmm, option, p, out);
    }

    /** The version in {@code output}, the first line that names one. */
    static VmmBinary parse(String vmm, String option, Path p, String output) {
        for (String line : output.lines().toList()) {
            Matcher m = VERSION.matcher(line);
            if (m.find()) {
                return new VmmBinary(p, m.group(1), line.strip());
            }
        }
        throw new HarnessException(ExitCode.USAGE, option + " " + p + ": '--version' printed no version ("
                + (output.isBlank() ? "nothing" : output.lines().findFirst().orElse("")) + "): is it " + vmm + "?");
    }

    /** Whether {@link #version()} is at least {@code major.minor}. */
    public boolean atLeast(int major, int minor) {
        String[] parts = version.split("[^0-9]+");
        int ma = parts.length > 0 && !parts[0].isEmpty() ? Integer.parseInt(parts[0]) : 0;
        int mi = parts.length > 1 && !parts[1].isEmpty() ? Integer.parseInt(parts[1]) : 0;
        return ma > major || ma == major && mi >= minor;
    }
}
