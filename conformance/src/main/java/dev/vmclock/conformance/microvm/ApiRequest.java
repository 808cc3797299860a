package dev.vmclock.conformance.microvm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * One request to a VMM's REST API: what the providers build (pure values, checked against the VMM's API document in
 * the unit tests) and what {@link ApiClient} sends.
 *
 * @param method      PUT, PATCH or GET
 * @param path        the path on the API socket, e.g. {@code /snapshot/create} or {@code /api/v1/vm.pause}
 * @param body        the JSON body, if any
 * @param operationId the operation's id in the API document, for the tests and the evidence
 */
public record ApiRequest(String method, String path, Optional<JsonNode> body, String operationId) {

    public static ApiRequest put(String path, JsonNode body, String operationId) {
        return new ApiRequest("PUT", path, Optional.of(body), operationId);
    }

    public static ApiRequest putEmpty(String path, String operationId) {
        return new ApiRequest("PUT", path, Optional.empty(), operationId);
    }

    public static ApiRequest patch(String path, JsonNode body, String operationId) {
        return new ApiRequest("PATCH", path, Optional.of(body), operationId);
    }

    public static ApiRequest get(String path, String operationId) {
        return new ApiRequest("GET", path, Optional.empty(), operationId);
    }

    /** "PUT /vm {...}": the line the transcript keeps. */
    @Override
    public String toString() {
        return method + " " + path + body.map(b -> " " + b).orElse("");
    }
}
