package dev.vmclock.conformance.microvm;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.events.Transcript;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * HTTP/1.1 to a VMM's REST API on its unix socket (Apache HttpClient 5.6 over the JDK's unix-domain sockets), every
 * request and answer kept as a {@link Transcript} line, as QMP lines are for QEMU: what an event's evidence shows.
 */
public final class ApiClient implements AutoCloseable {

    private final String vmm;
    private final Path socket;
    private final CloseableHttpClient http;
    private final RequestConfig config;
    private final List<Transcript.Line> transcript = new ArrayList<>();

    /**
     * @param vmm     the VMM's name as errors name it ("Firecracker")
     * @param socket  its API socket
     * @param timeout how long one request may take (a snapshot of a large guest takes a while)
     */
    public ApiClient(String vmm, Path socket, Duration timeout) {
        this.vmm = vmm;
        this.socket = socket;
        this.config = RequestConfig.custom().setUnixDomainSocket(socket)
                .setConnectionRequestTimeout(Timeout.of(timeout.toMillis(), TimeUnit.MILLISECONDS))
                .setResponseTimeout(Timeout.of(timeout.toMillis(), TimeUnit.MILLISECONDS)).build();
        this.http = HttpClients.custom().disableAutomaticRetries().disableContentCompression().build();
    }

    public Path socket() {
        return socket;
    }

    /** Sends {@code request}; any status comes back (a transport failure is a {@link HarnessException}). */
    public ApiAnswer send(ApiRequest request) {
        // The host part is not used on a unix socket; the VMMs expect "localhost" as their documents' host.
        HttpUriRequestBase r = new HttpUriRequestBase(request.method(), java.net.URI.create("http://localhost"
                + request.path()));
        r.setConfig(config);
        r.setHeader("Accept", "application/json");
        request.body().ifPresent(b -> r.setEntity(new StringEntity(b.toString(), ContentType.APPLICATION_JSON)));
        record(Transcript.Direction.TO_VMM, request.toString());
        try {
            ApiAnswer a = http.execute(r, response -> new ApiAnswer(response.getCode(),
                    response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8)));
            record(Transcript.Direction.FROM_VMM, a.toString());
            return a;
        } catch (IOException e) {
            record(Transcript.Direction.FROM_VMM, "(no answer: " + e + ")");
            throw new HarnessException(ExitCode.HARNESS_ERROR, vmm + " API at " + socket + " did not answer "
                    + request.method() + " " + request.path() + ": " + e.getMessage(), e);
        }
    }

    /** Sends {@code request}; an error status is an {@link ApiRefusedException} naming what the VMM said. */
    public ApiAnswer call(ApiRequest request) {
        ApiAnswer a = send(request);
        if (!a.ok()) {
            throw new ApiRefusedException(vmm, request, a);
        }
        return a;
    }

    private synchronized void record(Transcript.Direction d, String text) {
        transcript.add(new Transcript.Line(Instant.now(), d, text));
    }

    /** Where the transcript stands now: {@link #since} gives what came after. */
    public synchronized int mark() {
        return transcript.size();
    }

    public synchronized List<Transcript.Line> since(int mark) {
        return List.copyOf(transcript.subList(Math.min(mark, transcript.size()), transcript.size()));
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException e) {
            // nothing held but the pool's sockets, which the VMM's exit closes anyway
        }
    }
}
