package dev.hako.checkpoint.internal;

import java.io.IOException;

/** Something the checkpoint cannot handle, found before anything was stopped or killed. */
public final class CheckpointRefusal extends IOException {
    private static final long serialVersionUID = 1L;

    /** A refusal; the message says what was found and is prefixed with "cannot checkpoint: ". */
    public CheckpointRefusal(String message) {
        super("cannot checkpoint: " + message);
    }
}
