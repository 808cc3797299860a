package dev.vmclock.report.allure;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Allure's own command line, from Maven Central (io.qameta.allure:allure-commandline, unpacked by the
 * reports build), so the HTML is produced offline. Several result directories give one merged report.
 */
public final class AllureCommandLine {

    private final Path home;

    private AllureCommandLine(Path home) {
        this.home = home;
    }

    /** The copy the build unpacked ({@code reports/target/allure}), or a clear error naming the fix. */
    public static AllureCommandLine bundled() {
        Properties p = new Properties();
        try (InputStream in = AllureCommandLine.class.getResourceAsStream("commandline.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path home = Path.of(p.getProperty("home", "allure-commandline-missing"));
        if (!Files.isExecutable(home.resolve("bin/allure"))) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "Allure's command line is not at " + home
                    + "; build the project first: ./mvnw -B -DskipTests package");
        }
        return new AllureCommandLine(home);
    }

    /**
     * {@code allure generate --single-file}: one HTML file that opens from disk, no server.
     *
     * @return {@code out/index.html}
     */
    public Path generate(List<Path> resultDirs, Path out) {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/allure").toString(), "generate", "--clean",
                "--single-file", "-o", out.toString()));
        resultDirs.forEach(d -> cmd.add(d.toString()));
        try {
            Path log = Files.createTempFile("allure-generate", ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            // Allure's page would otherwise load Google Analytics: the report must open with no network.
            pb.environment().put("ALLURE_NO_ANALYTICS", "true");
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new HarnessException(ExitCode.HARNESS_ERROR, "allure generate did not finish in 120 s (log: " + log + ")");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(out.resolve("index.html"))) {
                throw new HarnessException(ExitCode.HARNESS_ERROR, "allure generate failed with exit code "
                        + p.exitValue() + ": " + Files.readString(log).strip());
            }
            Files.deleteIfExists(log);
            return out.resolve("index.html");
        } catch (IOException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException(ExitCode.HARNESS_ERROR, "interrupted while generating the Allure report", e);
        }
    }
}
