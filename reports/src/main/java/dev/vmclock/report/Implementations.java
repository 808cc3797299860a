package dev.vmclock.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmclock.images.GuestImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/** Facts about the tested implementation and the testing host, gathered for {@link Report.Implementation}. */
public final class Implementations {

    private static final String VERSION_RESOURCE = "/dev/vmclock/report/suite-version.properties";

    private Implementations() {
    }

    /** hostname, kernel ({@code os.name os.version}) and CPUs the JVM sees. */
    public static Report.Host currentHost() {
        return new Report.Host(hostname(), System.getProperty("os.name") + " " + System.getProperty("os.version"),
                Runtime.getRuntime().availableProcessors());
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException ex) {
                return "unknown";
            }
        }
    }

    /**
     * The jar's Implementation-Version when run from a jar, else the pom version Maven filtered into a
     * resource (the CLI runs from target/classes, which has no manifest).
     */
    public static String suiteVersion() {
        String fromJar = Implementations.class.getPackage().getImplementationVersion();
        if (fromJar != null) {
            return fromJar;
        }
        try (InputStream in = Implementations.class.getResourceAsStream(VERSION_RESOURCE)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // fall through: a report without a version beats no report
        }
        return "unknown";
    }

    /** The image's paths, kernel release and, for a built image, its manifest as the builder wrote it. */
    public static Report.GuestImageInfo guestImage(Optional<GuestImage> image) {
        if (image.isEmpty()) {
            return null;
        }
        GuestImage g = image.get();
        JsonNode manifest = null;
        if (g.manifest() != null && Files.isRegularFile(g.manifest())) {
            try {
                manifest = ReportJson.MAPPER.readTree(g.manifest().toFile());
            } catch (IOException e) {
                manifest = null; // the builder validates it; an unreadable one is reported as absent
            }
        }
        return new Report.GuestImageInfo(g.kernel().toString(), g.initramfs().toString(), g.kernelRelease(), manifest);
    }
}
