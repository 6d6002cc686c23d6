package dev.hako.namespaces;

import dev.hako.namespaces.launch.LaunchSpec;

/** Lets tests of the engine package take the validated spec of a builder. */
public final class BuilderSpecs {

    private BuilderSpecs() {
    }

    /** The spec {@code builder} would start with ({@link ContainerBuilder#plan()} validates the same way). */
    public static LaunchSpec spec(ContainerBuilder builder) {
        return builder.spec();
    }
}
