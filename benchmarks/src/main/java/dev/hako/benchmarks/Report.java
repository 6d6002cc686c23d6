package dev.hako.benchmarks;

import java.nio.file.Path;

/** Placeholder, replaced by the report generator. */
final class Report {
    private Report() {
    }

    static void write(Path results, Path markdown, Path chart, String command) {
        throw new UnsupportedOperationException();
    }
}
