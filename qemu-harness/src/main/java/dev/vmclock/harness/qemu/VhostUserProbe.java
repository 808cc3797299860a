package dev.vmclock.harness.qemu;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The first message of the vhost-user protocol (QEMU's docs/interop/vhost-user.rst), asked of a back end before QEMU
 * meets it: {@code VHOST_USER_GET_FEATURES}, whose reply must carry the protocol version QEMU speaks (1). A back end
 * that answers another version, or nothing, is bad input named before anything starts, not a QEMU that will not start.
 * Nothing here passes file descriptors, so the JDK's unix sockets do.
 */
final class VhostUserProbe {

    static final int GET_FEATURES = 1;
    static final int VERSION = 0x1;
    static final int VERSION_MASK = 0x3;
    static final int REPLY = 0x4;
    static final int HEADER = 12;

    private VhostUserProbe() {
    }

    /** The back end's device features; an {@link IOException} naming what was wrong otherwise. */
    static long features(Path socket, Duration timeout) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer request = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            request.putInt(GET_FEATURES).putInt(VERSION).putInt(0).flip();
            while (request.hasRemaining()) {
                ch.write(request);
            }
            ByteBuffer reply = ByteBuffer.allocate(HEADER + 8).order(ByteOrder.LITTLE_ENDIAN);
            CompletableFuture<Void> read = CompletableFuture.runAsync(() -> readFully(ch, reply));
            try {
                read.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IOException("no answer to VHOST_USER_GET_FEATURES within " + timeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                throw new IOException(e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            reply.flip();
            int type = reply.getInt();
            int flags = reply.getInt();
            int size = reply.getInt();
            if (type != GET_FEATURES || (flags & REPLY) == 0) {
                throw new IOException("it answered VHOST_USER_GET_FEATURES with message " + type + " flags 0x"
                        + Integer.toHexString(flags) + ", not its reply");
            }
            if ((flags & VERSION_MASK) != VERSION) {
                throw new IOException("it speaks vhost-user protocol version " + (flags & VERSION_MASK) + "; QEMU speaks "
                        + VERSION);
            }
            if (size != 8) {
                throw new IOException("its VHOST_USER_GET_FEATURES reply has " + size + " bytes of payload, not 8");
            }
            return reply.getLong();
        }
    }

    private static void readFully(SocketChannel ch, ByteBuffer b) {
        try {
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) {
                    throw new IOException("it closed the connection after " + b.position() + " bytes of its reply");
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }
}
