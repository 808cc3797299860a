package dev.vmclock.report;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not part of the build's checks: a way to look at a real run's page in the same browser the tests use.
 * {@code ./mvnw -pl reports test -Dtest=RealRunScreenshotTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dshot.url=file:///tmp/run/index.html#VMC-DISRUPT-05 -Dshot.out=/tmp/shot.png [-Dshot.click=CSS]}
 */
class RealRunScreenshotTest {

    @Test
    @EnabledIfSystemProperty(named = "shot.url", matches = ".+")
    void screenshot() throws Exception {
        try (HeadlessChromium b = HeadlessChromium.start(1400, 1100)) {
            b.open(URI.create(System.getProperty("shot.url")));
            String click = System.getProperty("shot.click", "");
            if (!click.isEmpty()) {
                b.click(click);
            }
            b.screenshot(Path.of(System.getProperty("shot.out", "target/browser/real-run.png")));
        }
    }
}
