package dev.vmclock.harness.guest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** A guest's serial console as its hypervisor logs it to a file: its tail for one-line errors, a copy for evidence. */
public final class ConsoleLog {

    private ConsoleLog() {
    }

    /** The last {@code lines} lines of {@code log}; empty when there is none (yet). Bytes as they came (Latin-1). */
    public static String tail(Path log, int lines) {
        try {
            if (!Files.exists(log)) {
                return "";
            }
            List<String> all = Files.readString(log, StandardCharsets.ISO_8859_1).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Copies {@code log} to {@code dir/name}, for a log that goes with its process; returns where it is now, or why
     * it stayed where it was.
     */
    public static String keep(Path log, Path dir, String name) {
        try {
            Path copy = Files.createDirectories(dir).resolve(name);
            Files.copy(log, copy, StandardCopyOption.REPLACE_EXISTING);
            return copy.toString();
        } catch (IOException e) {
            return log + " (not copied: " + e.getMessage() + ")";
        }
    }
}
