package dev.vmclock.harness.events;

/** How the migration stream travels between source and destination QEMU. */
public enum MigrationTransport {
    /** A unix socket in the destination's private run directory. */
    UNIX,
    /** TCP on the loopback interface. */
    TCP
}
