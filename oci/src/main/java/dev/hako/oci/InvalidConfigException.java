package dev.hako.oci;

/**
 * A config.json that hako-oci refuses: malformed, against the runtime spec, or asking for
 * something Hako cannot do. The message starts with the JSON path of the offending value
 * ({@code linux.namespaces[2].type}) followed by the rule it breaks.
 */
public final class InvalidConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String path;

    /** A refusal of the value at {@code path} for breaking {@code rule}. */
    public InvalidConfigException(String path, String rule) {
        super(path + ": " + rule);
        this.path = path;
    }

    /** The JSON path of the refused value, such as {@code mounts[3].destination}. */
    public String path() {
        return path;
    }
}
