package dev.vmclock.harness.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.guest.GuestSession;
import dev.vmclock.harness.page.HostPageReader;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.PageLocation;
import dev.vmclock.harness.page.PageLocator;
import dev.vmclock.harness.page.VmclockPage;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reference adapter (conformance/adapters/qemu-adapter.py) against host QEMU with the project's guest image,
 * through the Java client: the guest agent answers on the endpoint the adapter names after every move, and the
 * VMClock page, found from ACPI by memory_read, follows each event as FACTS.md records QEMU's behaviour
 * (restore = saved page, marker + 1).
 */
class QemuReferenceAdapterTest {

    static final Path ADAPTER = Path.of("..", "conformance", "adapters", "qemu-adapter.py");
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyEventThroughTheAdapterKeepsTheGuestAndMovesThePageAsQemuDoes() throws Exception {
        GuestImage image = new GuestImageBuilder().ensureBuilt();
        AdapterProcess a = AdapterProcess.start(ADAPTER, List.of("--qemu", Qemu.binary().path().toString()),
                Optional.empty());
        long pgid = a.pid();
        try {
            assertThat(a.hello().capabilities()).containsExactlyInAnyOrderElementsOf(AdapterProcess.CAPABILITIES);
            assertThat(a.hello().devices()).contains("vmclock");
            assertThat(a.hello().implementation().vmm()).isEqualTo("qemu");
            assertThat(a.hello().implementation().version()).isEqualTo(Qemu.binary().version().toString());

            AdapterAnswer boot = a.request("boot", Map.of("kernel", image.kernel().toString(), "initrd",
                    image.initramfs().toString(), "cmdline", GuestSession.KERNEL_CMDLINE, "memory_mib", 256, "cpus", 2,
                    "devices", List.of("vmclock"), "agent", "unix"), EVENT);
            String m1 = boot.text("machine");
            String[] current = {m1};
            AdapterMemory memory = new AdapterMemory(a, () -> current[0]);
            PageLocation where = PageLocator.locate(memory, Duration.ofSeconds(30));
            assertThat(where.address()).isEqualTo(0xfeffb000L);
            assertThat(where.source()).isEqualTo(PageLocation.Source.ACPI_CRS);
            HostPageReader page = new HostPageReader(memory, where);
            ping(boot.agent().orElseThrow(), Duration.ofSeconds(90));
            assertThat(marker(page)).isEqualTo(1);

            event(a, "pause", Map.of("machine", m1), "\"stop\"");
            event(a, "resume", Map.of("machine", m1), "\"cont\"");
            event(a, "snapshot_save", Map.of("machine", m1, "tag", "t1"), "snapshot-save");
            assertThat(marker(page)).isEqualTo(1);
            event(a, "snapshot_load", Map.of("machine", m1, "tag", "t1"), "snapshot-load");
            assertThat(marker(page)).isEqualTo(2);
            ping(boot.agent().orElseThrow(), Duration.ofSeconds(10));

            AdapterAnswer migrated = event(a, "migrate", Map.of("machine", m1), "migrate-incoming");
            assertThat(migrated.text("machine")).isEqualTo(m1);
            assertThat(migrated.agent().orElseThrow().path()).isNotEqualTo(boot.agent().orElseThrow().path());
            ping(migrated.agent().orElseThrow(), Duration.ofSeconds(10));
            assertThat(marker(page)).isEqualTo(3);

            String state = event(a, "state_save", Map.of("machine", m1), "file:").text("state");
            AdapterAnswer inPlace = event(a, "state_restore", Map.of("state", state, "in_place", true, "machine", m1),
                    "migrate-incoming");
            assertThat(inPlace.text("machine")).isEqualTo(m1);
            ping(inPlace.agent().orElseThrow(), Duration.ofSeconds(10));
            assertThat(marker(page)).isEqualTo(4);

            AdapterAnswer sibling = event(a, "state_restore", Map.of("state", state, "in_place", false),
                    "migrate-incoming");
            String m2 = sibling.text("machine");
            assertThat(m2).isNotEqualTo(m1);
            ping(sibling.agent().orElseThrow(), Duration.ofSeconds(10));
            current[0] = m2;
            assertThat(marker(page)).as("two restores of one state give the same marker").isEqualTo(4);
            event(a, "stop", Map.of("machine", m2), "quit");

            current[0] = m1;
            memory.write(where.address() + PageField.DISRUPTION_MARKER.offset(), new byte[] {0x77, 0, 0, 0, 0, 0, 0, 0});
            assertThat(marker(page)).isEqualTo(0x77);
            byte[] guestView = HexFormat.of().parseHex(agent(inPlace.agent().orElseThrow(), "read", Duration.ofSeconds(10))
                    .path("bytes").asText());
            assertThat(VmclockPage.decode(guestView).field(PageField.DISRUPTION_MARKER)).as("the guest sees the write")
                    .isEqualTo(0x77);

            String fresh = event(a, "fresh_machine", Map.of("machine", m1), "start:").text("machine");
            event(a, "reset", Map.of("machine", fresh), "system_reset");
            current[0] = fresh;
            assertThat(PageLocator.locate(memory, Duration.ofSeconds(30)).address()).isEqualTo(where.address());
            assertThat(marker(page)).isEqualTo(1);
        } finally {
            a.close();
        }
        assertThat(a.isAlive()).isFalse();
        assertThat(AdapterProcess.groupMembers(pgid)).as("adapter and every QEMU it started").isEmpty();
    }

    private static long marker(HostPageReader page) {
        VmclockPage p = page.read().page();
        assertThat(p.magicIsValid()).isTrue();
        return p.field(PageField.DISRUPTION_MARKER);
    }

    /** An event's answer, with its timing and a transcript naming what was asked of QEMU. */
    private static AdapterAnswer event(AdapterProcess a, String op, Map<String, ?> args, String asked) {
        AdapterAnswer r = a.request(op, args, EVENT);
        assertThat(r.elapsed()).as(op + " elapsed_ms").isPresent();
        assertThat(r.transcript()).as(op + " transcript").anySatisfy(l -> {
            assertThat(l.direction()).isEqualTo("to_vmm");
            assertThat(l.text()).contains(asked);
        });
        return r;
    }

    /** Pings the agent until it answers (the guest may still be booting). */
    private static void ping(AgentAddress endpoint, Duration timeout) throws Exception {
        assertThat(agent(endpoint, "ping", timeout).path("ok").asBoolean()).isTrue();
    }

    /** One agent command over the unix endpoint, retried on a fresh connection until {@code timeout}. */
    private static JsonNode agent(AgentAddress endpoint, String cmd, Duration timeout) throws Exception {
        assertThat(endpoint.transport()).isEqualTo(AgentAddress.UNIX);
        long until = System.nanoTime() + timeout.toNanos();
        var pool = Executors.newSingleThreadExecutor();
        try {
            int id = 0;
            while (true) {
                int want = ++id;
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(endpoint.path()));
                    OutputStream out = Channels.newOutputStream(ch);
                    out.write(("{\"id\":" + want + ",\"cmd\":\"" + cmd + "\"}\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                            StandardCharsets.UTF_8));
                    Future<JsonNode> reply = pool.submit(() -> {
                        String line;
                        while ((line = in.readLine()) != null) {
                            if (line.startsWith("{") && JSON.readTree(line).path("id").asInt() == want) {
                                return JSON.readTree(line);
                            }
                        }
                        return null;
                    });
                    try {
                        JsonNode r = reply.get(500, TimeUnit.MILLISECONDS);
                        if (r != null) {
                            return r;
                        }
                    } catch (java.util.concurrent.TimeoutException e) {
                        reply.cancel(true);
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                if (System.nanoTime() > until) {
                    throw new AssertionError("the agent at " + endpoint.path() + " did not answer '" + cmd + "' within "
                            + timeout.toSeconds() + " s (exists: " + Files.exists(endpoint.path()) + ")");
                }
                Thread.sleep(50);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
