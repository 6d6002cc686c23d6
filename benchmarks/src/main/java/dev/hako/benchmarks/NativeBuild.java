package dev.hako.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The C baselines and workloads (sources in {@code benchmarks/c}, carried in the jar):
 * where their binaries are, building them with gcc when missing or out of date.
 *
 * <p>The directory is {@code $HAKO_BENCH_BUILD} ({@code benchmarks/run} sets it to
 * {@code benchmarks/build}, where it has already built everything), else a directory under
 * {@code java.io.tmpdir}. An environment variable rather than a system property, so JMH's
 * forked JVMs see it without extra JVM arguments. A binary is rebuilt when the copy of its
 * source beside it differs from the source in the jar.
 */
public final class NativeBuild {

    /** The B1 baseline: {@code long hako_getpid_loop(long n)}. */
    public static final String GETPID_LOOP = "getpid_loop";
    /** The B2 floor and command-line tool timer. */
    public static final String STARTLOOP = "startloop";
    /** The B3 and B4 workloads. */
    public static final String WORKLOAD = "workload";
    /** The B7 syscall loop. */
    public static final String SYSCALL_LOOP = "syscall_loop";
    /** B8's checkpointed payload and memcpy floor. */
    public static final String TOUCHED_MEMORY = "touched_memory";

    private NativeBuild() {
    }

    /** {@return the build directory, created if missing} */
    public static Path directory() {
        String env = System.getenv("HAKO_BENCH_BUILD");
        Path dir = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("java.io.tmpdir"), "hako-bench-build-" + System.getProperty("user.name"));
        try {
            return Files.createDirectories(dir.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the C build directory " + dir, e);
        }
    }

    /** {@return the shared library {@code lib<name>.so}, built if needed} */
    public static synchronized Path library(String name) {
        return build(name, "lib" + name + ".so", "-shared", "-fPIC");
    }

    /** {@return the program {@code name}, built if needed} */
    public static synchronized Path program(String name) {
        return build(name, name);
    }

    /**
     * {@return the program {@code name} linked statically, built if needed}: a process that
     * B8 checkpoints maps no shared library, as the checkpoint module's own payloads.
     */
    public static synchronized Path staticProgram(String name) {
        return build(name, name + "-static", "-static");
    }

    /** The header every C source includes, copied beside them. */
    private static final String HEADER = "bench.h";

    /**
     * Writes the jar's copy of a C file to {@code target} unless it is already there as is.
     *
     * @return whether it was written (so what includes it must be rebuilt)
     */
    private static boolean syncSource(Path target, String resource) throws IOException {
        byte[] wanted;
        try (InputStream in = NativeBuild.class.getResourceAsStream("c/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("C source " + resource + " is missing from the jar");
            }
            wanted = in.readAllBytes();
        }
        if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), wanted)) {
            return false;
        }
        Files.write(target, wanted);
        return true;
    }

    private static Path build(String name, String output, String... extraFlags) {
        Path dir = directory();
        Path source = dir.resolve(name + ".c");
        Path binary = dir.resolve(output);
        try {
            boolean headerChanged = syncSource(dir.resolve(HEADER), HEADER);
            if (!syncSource(source, name + ".c") && !headerChanged && Files.isRegularFile(binary)) {
                return binary;
            }
            List<String> command = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-Wextra"));
            command.addAll(List.of(extraFlags));
            command.addAll(List.of("-o", binary.toString(), source.toString()));
            Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
            String log = new String(gcc.getInputStream().readAllBytes());
            if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                Files.deleteIfExists(source);
                throw new IllegalStateException("gcc failed to build " + binary + ":\n" + log);
            }
            return binary;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build " + binary + " (is gcc installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building " + binary, e);
        }
    }
}
