package dev.vigil.route;

import org.apache.camel.Exchange;

/** {@code GET /metrics}: Prometheus text format. */
public final class MetricsEndpoint {
    private final PipelineMetrics metrics;

    MetricsEndpoint(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    public void scrape(Exchange exchange) {
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.getMessage().setBody(metrics.scrape());
    }
}
