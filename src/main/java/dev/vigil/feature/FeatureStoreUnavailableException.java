package dev.vigil.feature;

/**
 * The feature store could not be reached or did not answer. Thrown instead of returning empty or
 * partial features: a decision must never be made on features that were not computed. Retriable.
 */
public class FeatureStoreUnavailableException extends RuntimeException {

    public FeatureStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
