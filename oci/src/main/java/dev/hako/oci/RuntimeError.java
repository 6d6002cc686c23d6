package dev.hako.oci;

/** A refusal or failure that hako-oci reports as its error message and exit status 1. */
final class RuntimeError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    RuntimeError(String message) {
        super(message);
    }

    RuntimeError(String message, Throwable cause) {
        super(message, cause);
    }
}
