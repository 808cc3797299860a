package dev.vmclock.conformance.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vmclock.harness.events.Transcript;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client end to end against a tiny real HTTP server on a unix socket, answering as a VMM would. */
class ApiClientTest {

    @TempDir
    Path dir;
    private ServerSocketChannel server;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private volatile String answer;

    @BeforeEach
    void serve() throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("api.sock")));
        Thread t = new Thread(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    InputStream in = Channels.newInputStream(c);
                    OutputStream out = Channels.newOutputStream(c);
                    while (true) { // keep-alive: one request after another on the connection
                        String head = readHead(in);
                        if (head == null) {
                            break;
                        }
                        int length = head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                                .map(l -> Integer.parseInt(l.substring(15).strip())).findFirst().orElse(0);
                        received.add(head.lines().findFirst().orElse("") + " "
                                + new String(in.readNBytes(length), StandardCharsets.UTF_8));
                        out.write(answer.getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            }
        }, "fake-vmm-api");
        t.setDaemon(true);
        t.start();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            if (b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private static String http(int status, String reason, String body) {
        return "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    @Test
    void sendsMethodPathAndBodyAndKeepsTheTranscript() {
        answer = http(204, "No Content", "");
        try (ApiClient api = new ApiClient("Firecracker", dir.resolve("api.sock"), Duration.ofSeconds(5))) {
            int mark = api.mark();
            api.call(ApiRequest.patch("/vm", JsonNodeFactory.instance.objectNode().put("state", "Paused"), "patchVm"));
            api.call(ApiRequest.putEmpty("/api/v1/vm.boot", "bootVM"));
            assertThat(received).containsExactly("PATCH /vm HTTP/1.1 {\"state\":\"Paused\"}", "PUT /api/v1/vm.boot HTTP/1.1 ");
            List<Transcript.Line> lines = api.since(mark);
            assertThat(lines).extracting(Transcript.Line::direction).containsExactly(Transcript.Direction.TO_VMM,
                    Transcript.Direction.FROM_VMM, Transcript.Direction.TO_VMM, Transcript.Direction.FROM_VMM);
            assertThat(lines.get(0).text()).isEqualTo("PATCH /vm {\"state\":\"Paused\"}");
            assertThat(lines.get(1).text()).isEqualTo("204");
        }
    }

    @Test
    void aRefusalIsOneLineNamingTheVmmsFault() {
        answer = http(400, "Bad Request", "{\"fault_message\": \"Cannot create snapshot:\\n the VM is not paused.\"}");
        try (ApiClient api = new ApiClient("Firecracker", dir.resolve("api.sock"), Duration.ofSeconds(5))) {
            ApiRequest r = ApiRequest.put("/snapshot/create", JsonNodeFactory.instance.objectNode()
                    .put("snapshot_path", "/s").put("mem_file_path", "/m"), "createSnapshot");
            assertThatThrownBy(() -> api.call(r)).isInstanceOf(ApiRefusedException.class).hasMessage(
                    "Firecracker refused PUT /snapshot/create (createSnapshot): 400 Cannot create snapshot: the VM is"
                            + " not paused.");
            assertThat(api.since(0).get(1).text()).startsWith("400 {\"fault_message\"");
            assertThat(api.send(r).status()).isEqualTo(400); // send gives any status back
        }
    }

    @Test
    void cloudHypervisorsTextErrorsAreNamedToo() {
        answer = http(500, "Internal Server Error", "[\"Error receiving migration\",\"Socket error\"]");
        try (ApiClient api = new ApiClient("Cloud Hypervisor", dir.resolve("api.sock"), Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> api.call(ApiRequest.putEmpty("/api/v1/vm.pause", "pauseVM")))
                    .hasMessage("Cloud Hypervisor refused PUT /api/v1/vm.pause (pauseVM): 500 Error receiving migration:"
                            + " Socket error");
        }
    }

    @Test
    void noServerIsAOneLineHarnessError() throws IOException {
        server.close();
        try (ApiClient api = new ApiClient("Firecracker", dir.resolve("gone.sock"), Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> api.call(ApiRequest.get("/version", "getFirecrackerVersion")))
                    .hasMessageStartingWith("Firecracker API at " + dir.resolve("gone.sock") + " did not answer GET /version");
            assertThat(api.since(0)).hasSize(2);
        }
    }
}
