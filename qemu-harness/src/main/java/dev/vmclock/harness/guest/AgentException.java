package dev.vmclock.harness.guest;

/** The in-guest agent refused a command ({@code ok:false}), or did not answer. */
public class AgentException extends RuntimeException {
    public AgentException(String message) {
        super(message);
    }

    public AgentException(String message, Throwable cause) {
        super(message, cause);
    }
}
