package dev.vmclock.harness.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a Debian image recorded about itself at build time ({@code /etc/vmclock-*.json}, also the
 * image label {@value #LABEL}): the suite, the recipe hash, when, and the exact installed package versions.
 *
 * @param qemu the first line of {@code qemu-system-x86_64 --version} (empty for the kbuild image)
 * @param packages package name to Debian version, e.g. {@code qemu-system-x86 -> 1:11.1.3+ds-2~bpo13+1}
 */
public record ImageVersions(String suite, String codename, String recipe, String built, String qemu,
        Map<String, String> packages) {

    /** The image label holding the JSON. */
    public static final String LABEL = "dev.vmclock.versions";
    private static final ObjectMapper JSON = new ObjectMapper();

    public ImageVersions {
        packages = Collections.unmodifiableMap(new LinkedHashMap<>(packages)); // keeps the recorded order
    }

    public static ImageVersions parse(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            Map<String, String> packages = new LinkedHashMap<>();
            n.path("packages").fields().forEachRemaining(e -> packages.put(e.getKey(), e.getValue().asText()));
            return new ImageVersions(n.path("suite").asText(), n.path("codename").asText(), n.path("recipe").asText(),
                    n.path("built").asText(), n.path("qemu").asText(), packages);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an image versions record: " + e.getMessage(), e);
        }
    }

    /** The version of {@code pkg}, or "" if the image did not record it. */
    public String version(String pkg) {
        return packages.getOrDefault(pkg, "");
    }
}
