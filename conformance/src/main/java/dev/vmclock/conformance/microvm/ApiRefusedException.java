package dev.vmclock.conformance.microvm;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;

/**
 * The VMM answered a request with an error status: one line naming the request, the status and the VMM's own words.
 * Mid-run it is the check's ERROR; the exchange is in the transcript.
 */
public final class ApiRefusedException extends HarnessException {

    private final ApiRequest request;
    private final ApiAnswer answer;

    public ApiRefusedException(String vmm, ApiRequest request, ApiAnswer answer) {
        super(ExitCode.HARNESS_ERROR, vmm + " refused " + request.method() + " " + request.path() + " ("
                + request.operationId() + "): " + answer.status() + " " + answer.fault());
        this.request = request;
        this.answer = answer;
    }

    public ApiRequest request() {
        return request;
    }

    public ApiAnswer answer() {
        return answer;
    }
}
