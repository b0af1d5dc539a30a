package dev.vigil.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.audit.Rejection;
import dev.vigil.decision.DecisionJson;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** Last stage of {@code POST /v1/decisions}: the decision, or why the event was refused. */
public final class HttpResponder {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final PipelineMetrics metrics;

    HttpResponder(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    public void decision(Exchange exchange) throws Exception {
        Batch batch = exchange.getMessage().getBody(Batch.class);
        metrics.recordBatch(System.nanoTime() - batch.arrivedNanos);
        Message out = exchange.getMessage();
        out.setHeader(Intake.REQUEST_ID_HEADER, batch.requestId);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (!batch.rejections.isEmpty()) {
            Rejection r = batch.rejections.get(0);
            ObjectNode body = MAPPER.createObjectNode();
            ObjectNode error = body.putObject("error");
            error.put("code", r.reason().name());
            error.put("message", r.message());
            body.put("request_id", batch.requestId);
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, r.reason() == dev.vigil.event.RejectReason.PAYLOAD_TOO_LARGE ? 413 : 400);
            out.setBody(MAPPER.writeValueAsBytes(body));
            return;
        }
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        out.setBody(DecisionJson.toHttpAnswer(batch.decisions.get(0), batch.duplicates.get(0), batch.requestId));
    }

    /** A dependency stayed down through the retries: nothing was decided, so the rail may retry. */
    public void unavailable(Exchange exchange) throws Exception {
        refuse(exchange, "UNAVAILABLE", "a dependency is unavailable");
    }

    /** Too much work waiting: refused before anything was done, so the rail may retry. */
    public void overloaded(Exchange exchange) throws Exception {
        metrics.recordShed();
        refuse(exchange, "OVERLOADED", "too many requests waiting");
    }

    private void refuse(Exchange exchange, String code, String fallback) throws Exception {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        ObjectNode body = MAPPER.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", cause == null ? fallback : cause.getMessage());
        Message out = exchange.getMessage();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 503);
        out.setHeader("Retry-After", "1");
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(MAPPER.writeValueAsBytes(body));
    }
}
