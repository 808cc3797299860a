package dev.vmclock.harness.guest;

import java.util.Optional;

/** The in-guest agent refused a command ({@code ok:false}), or did not answer. */
public class AgentException extends RuntimeException {
    private final String errno;

    public AgentException(String message) {
        this(message, (String) null);
    }

    public AgentException(String message, Throwable cause) {
        super(message, cause);
        this.errno = null;
    }

    /** A refusal carrying the errno name the agent reported (ENOENT, ETIMEDOUT, ...). */
    public AgentException(String message, String errno) {
        super(message);
        this.errno = errno;
    }

    /** The errno name of the failed system call in the guest, when the agent reported one. */
    public Optional<String> errno() {
        return Optional.ofNullable(errno);
    }
}
