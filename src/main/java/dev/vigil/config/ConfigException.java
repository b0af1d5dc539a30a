package dev.vigil.config;

/** A configuration value that is missing or wrong; the message names the key and the value. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String key, String value, String problem) {
        super("configuration " + key + "=" + (value == null ? "(unset)" : "'" + value + "'") + ": " + problem);
    }
}
