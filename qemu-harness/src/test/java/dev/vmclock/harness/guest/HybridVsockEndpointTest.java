package dev.vmclock.harness.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hybrid vsock handshake against a real unix socket server playing the back end and the agent. */
class HybridVsockEndpointTest {

    @TempDir
    Path tmp;
    private ServerSocketChannel server;
    private CompletableFuture<String> served;

    /** A back end that reads the client's first line, answers {@code answer}, then runs {@code agent} on the stream. */
    private HybridVsockEndpoint endpoint(String answer, boolean closeAfter, Duration timeout, Agent agent) throws IOException {
        Path sock = tmp.resolve("vsock.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        served = CompletableFuture.supplyAsync(() -> {
            try (SocketChannel c = server.accept()) {
                String first = readLine(c);
                if (answer != null) {
                    c.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.ISO_8859_1)));
                }
                if (closeAfter) {
                    return first;
                }
                if (agent != null) {
                    agent.serve(c);
                } else {
                    Thread.sleep(timeout.toMillis() + 2000); // silent: the client gives up first
                }
                return first;
            } catch (IOException | InterruptedException e) {
                return "server failed: " + e;
            }
        });
        return new HybridVsockEndpoint(sock, HybridVsockEndpoint.AGENT_PORT, timeout, new Stub());
    }

    interface Agent {
        void serve(SocketChannel c) throws IOException;
    }

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void okThenTheAgentProtocolOnTheSameStream() throws Exception {
        HybridVsockEndpoint e = endpoint("OK 1073741824\n", false, Duration.ofSeconds(5), c -> {
            String req = readLine(c);
            long id = Long.parseLong(req.replaceAll(".*\"id\":(\\d+).*", "$1"));
            c.write(ByteBuffer.wrap(("{\"id\":" + id + ",\"ok\":true,\"agent\":\"fake\",\"echo\":"
                    + (req.contains("\"cmd\":\"ping\"") ? "\"ping\"" : "null") + "}\n").getBytes(StandardCharsets.UTF_8)));
        });
        try (AgentClient client = e.connect()) {
            JsonNode r = client.call(41, "ping", Map.of(), Duration.ofSeconds(5));
            assertThat(r.path("id").asLong()).isEqualTo(41);
            assertThat(r.path("echo").asText()).isEqualTo("ping");
        }
        assertThat(served.get(5, TimeUnit.SECONDS)).isEqualTo("CONNECT 5151");
    }

    @Test
    void bytesAfterTheOkLineAreTheAgentsFirstReply() throws Exception {
        // A back end may send the OK and the guest's first bytes in one write: they must not be lost.
        HybridVsockEndpoint e = endpoint("OK 7\n{\"id\":3,\"ok\":true}\n", false, Duration.ofSeconds(5), c -> readLine(c));
        try (AgentClient client = e.connect()) {
            assertThat(client.await(3, Duration.ofSeconds(2))).isNotNull();
        }
    }

    @Test
    void refusalIsOneLineNamingIt() throws Exception {
        HybridVsockEndpoint e = endpoint(null, true, Duration.ofSeconds(5), null);
        assertThatThrownBy(e::connect).isInstanceOf(IOException.class)
                .hasMessageContaining("CONNECT 5151 refused")
                .hasMessageContaining("nothing listens on that vsock port")
                .hasMessageNotContaining("\n");
    }

    @Test
    void garbageIsNamedAsItCame() throws Exception {
        HybridVsockEndpoint e = endpoint("HELLO\tthere\n", false, Duration.ofSeconds(5), c -> { });
        assertThatThrownBy(e::connect).isInstanceOf(IOException.class)
                .hasMessageContaining("answered 'HELLO\\x09there', not 'OK <port>'");
    }

    @Test
    void okWithoutANumberIsGarbage() throws Exception {
        HybridVsockEndpoint e = endpoint("OK\n", false, Duration.ofSeconds(5), c -> { });
        assertThatThrownBy(e::connect).isInstanceOf(IOException.class).hasMessageContaining("answered 'OK'");
    }

    @Test
    void endlessGarbageStopsAtTheLimit() throws Exception {
        HybridVsockEndpoint e = endpoint("x".repeat(500), false, Duration.ofSeconds(5), c -> { });
        assertThatThrownBy(e::connect).isInstanceOf(IOException.class).hasMessageContaining("(no line end)");
    }

    @Test
    void silenceTimesOut() throws Exception {
        HybridVsockEndpoint e = endpoint(null, false, Duration.ofMillis(300), null);
        long t0 = System.nanoTime();
        assertThatThrownBy(e::connect).isInstanceOf(IOException.class).hasMessageContaining("no answer within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aMissingSocketFailsToConnect() {
        HybridVsockEndpoint e = new HybridVsockEndpoint(tmp.resolve("absent.sock"), new Stub());
        assertThatThrownBy(e::connect).isInstanceOf(IOException.class);
    }

    private static String readLine(SocketChannel c) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (c.read(one) < 0) {
                return sb.toString();
            }
            char ch = (char) one.get(0);
            if (ch == '\n') {
                return sb.toString();
            }
            sb.append(ch);
        }
    }

    /** The hypervisor's half, unused by the handshake. */
    private static final class Stub implements AgentEndpoint {
        @Override public long generation() { return 1; }
        @Override public AgentClient connect() { throw new UnsupportedOperationException(); }
        @Override public Optional<String> gone() { return Optional.empty(); }
        @Override public String consoleTail(int lines) { return ""; }
        @Override public String keepEvidence() { return ""; }
        @Override public void close() { }
    }
}
