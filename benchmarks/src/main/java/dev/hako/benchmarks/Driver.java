package dev.hako.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The benchmarks that are not JMH benchmarks, run by {@code benchmarks/run}:
 *
 * <pre>
 * java -cp hako-benchmarks.jar dev.hako.benchmarks.Driver b3 --out F [--rounds R] [--scale S] [--copies 1,4] [--only a,b] [--disk-dir D]
 * java -cp hako-benchmarks.jar dev.hako.benchmarks.Driver b4 --out F [--window-ms W] [--windows N] [--memory-seconds S] [--disk-dir D]
 * java -cp hako-benchmarks.jar dev.hako.benchmarks.Driver b5-shell --out F [--iterations N] [--batches B]
 * java -cp hako-benchmarks.jar dev.hako.benchmarks.Driver b6 --out F [--heap-mb M] [--churn-seconds S]
 * java -cp hako-benchmarks.jar dev.hako.benchmarks.Driver b7 --out F [--rounds R] [--getpid-calls N] [--read-calls N]
 * java -cp hako-benchmarks.jar dev.hako.benchmarks.Driver b8 --out F [--sizes-mib 64,256] [--rounds R] [--disk-dir D]
 * java -cp hako-benchmarks.jar dev.hako.benchmarks.Driver b9 --out F --hako-oci SCRIPT --bundle B --work D [--rounds R] [--ctr-rounds N] [--version-rounds N]
 * java -cp hako-benchmarks.jar dev.hako.benchmarks.Driver server-flags --out F [--rounds R] [--starts N] [--variant V] [--only a,b]
 * java -cp hako-benchmarks.jar dev.hako.benchmarks.Driver server-start --out F [--rounds R] [--starts N]
 * java -cp hako-benchmarks.jar dev.hako.benchmarks.Driver report --results DIR --markdown F --chart F --command TEXT
 * </pre>
 *
 * B3 and B4 run whole processes for about a second each and alternate their A and B sides
 * run by run, which JMH cannot do (it runs one benchmark after another); B5's baseline is
 * a shell script; B6 reads the memory of processes it starts from its own JVM; B7 times C
 * loops in containers with and without a seccomp filter; B8 checkpoints and restores
 * containers through the checkpoint module and times a memcpy beside them; B9 runs OCI
 * runtimes' command lines and ctr; server-flags and server-start time fresh JVMs from
 * outside. Each writes JSON for {@link Report}.
 */
public final class Driver {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Driver() {
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: Driver b3|b4|b5-shell|b6|b7|b8|b9|server-flags|server-start|report --option value ...");
            System.exit(2);
        }
        Map<String, String> o = options(Arrays.copyOfRange(args, 1, args.length));
        Path disk = Path.of(o.getOrDefault("disk-dir", NativeBuild.directory().toString()));
        ObjectNode result;
        switch (args[0]) {
            case "b3" -> result = Overhead.run(new Overhead.Config(
                    Integer.parseInt(o.getOrDefault("rounds", "4")),
                    Double.parseDouble(o.getOrDefault("scale", "1")),
                    Arrays.stream(o.getOrDefault("copies", "1,4").split(",")).map(Integer::valueOf).toList(),
                    o.containsKey("only") ? Set.of(o.get("only").split(",")) : Set.of(), disk));
            case "b4" -> result = Enforcement.run(new Enforcement.Config(
                    Duration.ofMillis(Long.parseLong(o.getOrDefault("window-ms", "5000"))),
                    Integer.parseInt(o.getOrDefault("windows", "1")),
                    Double.parseDouble(o.getOrDefault("memory-seconds", "2")), disk));
            case "b5-shell" -> result = ShellCgroupOps.run(Integer.parseInt(o.getOrDefault("iterations", "200")),
                    Integer.parseInt(o.getOrDefault("batches", "3")));
            case "b6" -> result = InitMemory.run(new InitMemory.Config(
                    Integer.parseInt(o.getOrDefault("heap-mb", "256")),
                    Double.parseDouble(o.getOrDefault("churn-seconds", "3"))));
            case "b7" -> result = SeccompOverhead.run(new SeccompOverhead.Config(
                    Integer.parseInt(o.getOrDefault("rounds", "6")),
                    Long.parseLong(o.getOrDefault("getpid-calls", "1000000")),
                    Long.parseLong(o.getOrDefault("read-calls", "500000"))));
            case "b8" -> result = CheckpointCost.run(new CheckpointCost.Config(
                    Arrays.stream(o.getOrDefault("sizes-mib", "64,256").split(",")).map(Integer::valueOf).toList(),
                    Integer.parseInt(o.getOrDefault("rounds", "2")), disk.resolve("b8")));
            case "b9" -> result = OciCycle.run(new OciCycle.Config(Integer.parseInt(o.getOrDefault("rounds", "10")),
                    Integer.parseInt(o.getOrDefault("ctr-rounds", "3")),
                    Integer.parseInt(o.getOrDefault("version-rounds", "10")), Path.of(required(o, "hako-oci")),
                    Path.of(required(o, "bundle")), Path.of(required(o, "work"))));
            case "server-flags" -> {
                result = ServerFlags.run(Integer.parseInt(o.getOrDefault("rounds", "3")),
                        Integer.parseInt(o.getOrDefault("starts", "200")), o.getOrDefault("variant", "pid,mnt,ipc,uts"),
                        o.containsKey("only") ? List.of(o.get("only").split(",")) : List.of(),
                        NativeBuild.directory().resolve("server-flags"));
                System.out.print(ServerFlags.table(result));
            }
            case "server-start" -> result = ServerStart.run(Integer.parseInt(o.getOrDefault("rounds", "3")),
                    Integer.parseInt(o.getOrDefault("starts", "100")));
            case "report" -> {
                Report.write(Path.of(required(o, "results")), Path.of(required(o, "markdown")),
                        Path.of(required(o, "chart")), required(o, "command"));
                return;
            }
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
        write(result, Path.of(required(o, "out")));
    }

    static void write(ObjectNode result, Path out) throws java.io.IOException {
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        JSON.writeValue(out.toFile(), result);
    }

    private static String required(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + key);
        }
        return v;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got " + List.of(args).subList(i, args.length));
            }
            out.put(args[i].substring(2), args[i + 1]);
        }
        return out;
    }
}
