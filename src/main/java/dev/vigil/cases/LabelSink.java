package dev.vigil.cases;

import java.util.List;

/** Where closing outcomes go: {@code vigil.labels} in the running platform. */
public interface LabelSink {
    /** Publishes and waits until they are acknowledged; throws when they could not be. */
    void publish(List<AnalystLabel> labels);
}
