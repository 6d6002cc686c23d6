package dev.hako.samples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the hako command in-process with captured output, as a test sees it. */
final class Cli {

    /** What one invocation produced. */
    record Result(int status, String out, String err) {
    }

    private Cli() {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = HakoCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true), false)
                .execute(args);
        return new Result(status, out.toString(), err.toString());
    }
}
