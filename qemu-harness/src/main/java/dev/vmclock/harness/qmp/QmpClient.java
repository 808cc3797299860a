package dev.vmclock.harness.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A QMP client over a unix socket: reads the greeting, negotiates capabilities, sends commands with
 * per-call timeouts and keeps events and a transcript. One reader thread demultiplexes replies (by id)
 * from events, so commands may be issued from any thread.
 */
public final class QmpClient implements AutoCloseable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final QmpTranscript transcript = new QmpTranscript();
    private final QmpEvents events = new QmpEvents();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread reader;
    private volatile boolean closed;

    private QmpClient(SocketChannel channel, String name) {
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "qmp-reader-" + name);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Connects, reads the greeting and leaves capability negotiation mode. */
    public static QmpClient connect(Path socket, Duration timeout) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        QmpClient client = new QmpClient(ch, socket.getFileName().toString());
        try {
            client.greeting.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            client.execute("qmp_capabilities", Map.of(), timeout);
            return client;
        } catch (TimeoutException e) {
            client.close();
            throw new QmpTimeoutException("QMP greeting on " + socket, timeout);
        } catch (InterruptedException | ExecutionException | RuntimeException e) {
            client.close();
            throw new IOException("QMP handshake on " + socket + " failed: " + e.getMessage(), e);
        }
    }

    /** The {@code QMP} object of the greeting ({@code version}, {@code capabilities}). */
    public JsonNode greeting() {
        return greeting.getNow(null);
    }

    /** QEMU's version from the greeting, e.g. "10.0.2". */
    public String qemuVersion() {
        JsonNode q = greeting().path("version").path("qemu");
        return q.path("major").asInt() + "." + q.path("minor").asInt() + "." + q.path("micro").asInt();
    }

    public JsonNode execute(String command) {
        return execute(command, Map.of(), DEFAULT_TIMEOUT);
    }

    public JsonNode execute(String command, Map<String, ?> arguments) {
        return execute(command, arguments, DEFAULT_TIMEOUT);
    }

    /**
     * Sends one command and waits for its reply.
     *
     * @return the {@code return} member of the reply
     * @throws QmpErrorException   when QEMU replies with an error
     * @throws QmpTimeoutException when no reply arrives in time
     */
    public JsonNode execute(String command, Map<String, ?> arguments, Duration timeout) {
        String id = "c" + ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("execute", command);
        if (!arguments.isEmpty()) {
            msg.set("arguments", JSON.valueToTree(arguments));
        }
        msg.put("id", id);
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            send(msg);
            JsonNode r = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (r.has("error")) {
                JsonNode err = r.get("error");
                throw new QmpErrorException(command, err.path("class").asText(), err.path("desc").asText());
            }
            return r.path("return");
        } catch (TimeoutException e) {
            throw new QmpTimeoutException("QMP command " + command, timeout);
        } catch (ExecutionException e) {
            throw new QmpException("QMP command " + command + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted during QMP command " + command, e);
        } finally {
            pending.remove(id);
        }
    }

    /** Runs a human monitor command (for what QMP lacks) and returns its text output. */
    public String hmp(String commandLine) {
        return hmp(commandLine, DEFAULT_TIMEOUT);
    }

    public String hmp(String commandLine, Duration timeout) {
        return execute("human-monitor-command", Map.of("command-line", commandLine), timeout).asText();
    }

    public QmpEvents events() {
        return events;
    }

    public QmpTranscript transcript() {
        return transcript;
    }

    public boolean isConnected() {
        return !closed && channel.isOpen();
    }

    private void send(ObjectNode msg) {
        String line;
        try {
            line = JSON.writeValueAsString(msg);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        transcript.add(QmpTranscript.Direction.SENT, line);
        ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        synchronized (channel) {
            try {
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            } catch (IOException e) {
                throw new QmpException("QMP connection lost while sending: " + e.getMessage(), e);
            }
        }
    }

    private void readLoop() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                transcript.add(QmpTranscript.Direction.RECEIVED, line);
                dispatch(JSON.readTree(line));
            }
        } catch (IOException e) {
            // Closed by us, or QEMU went away: both end the connection below.
        } finally {
            closed = true;
            QmpException gone = new QmpException("QMP connection closed");
            greeting.completeExceptionally(gone);
            pending.values().forEach(f -> f.completeExceptionally(gone));
            events.close();
        }
    }

    private void dispatch(JsonNode msg) {
        if (msg.has("QMP")) {
            greeting.complete(msg.get("QMP"));
        } else if (msg.has("event")) {
            JsonNode ts = msg.path("timestamp");
            long micros = ts.path("seconds").asLong() * 1_000_000 + ts.path("microseconds").asLong();
            events.add(new QmpEvent(msg.get("event").asText(), msg.path("data"), micros));
        } else {
            CompletableFuture<JsonNode> f = pending.get(msg.path("id").asText());
            if (f != null) {
                f.complete(msg);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }
}
