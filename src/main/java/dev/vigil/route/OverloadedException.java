package dev.vigil.route;

/**
 * Vigil has as much HTTP work waiting as it is allowed to hold: the request is refused at once
 * (503 with {@code Retry-After}) instead of queued without bound.
 */
public final class OverloadedException extends RuntimeException {
    public OverloadedException(int queued) {
        super("too many requests waiting (" + queued + "); retry shortly");
    }
}
