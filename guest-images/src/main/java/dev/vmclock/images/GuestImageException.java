package dev.vmclock.images;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A guest image could not be built or used. {@link #getMessage()} is one line naming the cause and
 * the fix; when a build ran, {@link #logFile()} is its log and {@link #logTail()} the last lines,
 * which {@link #toString()} (and so every stack trace) appends.
 */
public class GuestImageException extends RuntimeException {

    private final transient Path logFile;
    private final String logTail;

    public GuestImageException(String message) {
        this(message, null, "", null);
    }

    public GuestImageException(String message, Throwable cause) {
        this(message, null, "", cause);
    }

    public GuestImageException(String message, Path logFile, String logTail, Throwable cause) {
        super(message, cause);
        this.logFile = logFile;
        this.logTail = logTail == null ? "" : logTail;
    }

    /** The build log, if a build ran. */
    public Optional<Path> logFile() {
        return Optional.ofNullable(logFile);
    }

    /** The last lines of the build log; empty if no build ran. */
    public String logTail() {
        return logTail;
    }

    @Override
    public String toString() {
        if (logTail.isEmpty()) {
            return super.toString();
        }
        return super.toString() + System.lineSeparator() + "--- last lines of " + logFile + " ---"
                + System.lineSeparator() + logTail;
    }
}
