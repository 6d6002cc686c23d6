package dev.hako.samples.cli;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Standard streams of a payload: shared with the JVM, or copied into picocli's writers. */
final class Payload {

    private Payload() {
    }

    /** Sets the redirects: inherit for the real command, pipes when output is captured. */
    static void redirect(ContainerBuilder builder, boolean inherit) {
        if (!inherit) {
            builder.redirectInput(Redirect.from(Path.of("/dev/null")));
            builder.redirectOutput(Redirect.PIPE);
            builder.redirectError(Redirect.PIPE);
        }
    }

    /**
     * Waits for the payload and returns its status as a shell reports it. With pipes, copies
     * both streams into the writers first (on threads, so neither pipe can fill and stall it).
     */
    static int await(ContainerProcess process, boolean inherit, PrintWriter out, PrintWriter err)
            throws InterruptedException {
        if (inherit) {
            return process.waitFor();
        }
        Thread copyOut = copy(process.getInputStream(), out);
        Thread copyErr = copy(process.getErrorStream(), err);
        int status = process.waitFor();
        copyOut.join();
        copyErr.join();
        return status;
    }

    private static Thread copy(InputStream in, PrintWriter to) {
        return Thread.ofPlatform().daemon().name("hako-copy").start(() -> {
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                char[] buffer = new char[8192];
                for (int n; (n = reader.read(buffer)) >= 0; ) {
                    synchronized (to) {
                        to.write(buffer, 0, n);
                        to.flush();
                    }
                }
            } catch (java.io.IOException e) {
                // The process ended or its stream was closed: nothing more to copy.
            }
        });
    }
}
