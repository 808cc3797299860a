package dev.vmclock.harness.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * JSON lines to and from the agent over a stream: QEMU's chardev socket for the virtio-serial port, or a hybrid
 * vsock connection once its handshake is done ({@link HybridVsockEndpoint}). Replies are matched by id; a late
 * reply to an earlier, timed-out request is skipped.
 */
public final class AgentClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final Selector selector;
    private final StringBuilder pending = new StringBuilder();
    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);

    private AgentClient(SocketChannel channel, Selector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    public static AgentClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return over(ch, "");
    }

    /**
     * The agent protocol on a channel already connected to the agent; {@code received} is what was read from it
     * past a transport's own handshake (the start of the agent's first reply, if any). Closes the channel on failure.
     */
    public static AgentClient over(SocketChannel ch, String received) throws IOException {
        try {
            ch.configureBlocking(false);
            Selector sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ);
            AgentClient c = new AgentClient(ch, sel);
            c.pending.append(received);
            return c;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Sends one request and waits for the reply with its id; null on timeout. */
    synchronized JsonNode call(long id, String cmd, Map<String, ?> args, Duration timeout) throws IOException {
        send(id, cmd, args);
        return await(id, timeout);
    }

    synchronized void send(long id, String cmd, Map<String, ?> args) throws IOException {
        ObjectNode req = JSON.createObjectNode();
        req.put("id", id);
        req.put("cmd", cmd);
        args.forEach((k, v) -> req.set(k, JSON.valueToTree(v)));
        ByteBuffer out = ByteBuffer.wrap((JSON.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    /** The reply to request {@code id} (sent on this or an earlier connection); null on timeout. */
    synchronized JsonNode await(long id, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int nl;
            while ((nl = pending.indexOf("\n")) >= 0) {
                String line = pending.substring(0, nl).strip();
                pending.delete(0, nl + 1);
                if (line.startsWith("{")) {
                    JsonNode reply = JSON.readTree(line);
                    if (reply.path("id").asLong(-1) == id) {
                        return reply;
                    }
                }
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return null;
            }
            selector.select(left);
            selector.selectedKeys().clear();
            buf.clear();
            int n = channel.read(buf);
            if (n < 0) {
                throw new IOException("agent connection closed by the hypervisor");
            }
            pending.append(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
            channel.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }
}
