package dev.hako.samples.cli;

import dev.hako.cgroupfs.Bytes;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.ControllerSpec;
import dev.hako.cgroupfs.CpuSpec;
import dev.hako.cgroupfs.DeviceNumber;
import dev.hako.cgroupfs.IoSpec;
import dev.hako.cgroupfs.MemorySpec;
import dev.hako.cgroupfs.PidsSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** The cgroup limit flags shared by {@code hako run}, {@code cgroup create} and {@code cgroup set}. */
final class LimitOptions {

    @Option(names = "--memory", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Memory limit, e.g. 256M (binary units) or max.")
    Bytes memory;

    @Option(names = "--cpus", paramLabel = "CPUS", description = "CPU quota in CPUs, e.g. 0.5 for half of one.")
    Double cpus;

    @Option(names = "--pids", paramLabel = "N", description = "Most tasks (processes and threads) at once.")
    Long pids;

    @Option(names = "--io-read-bps", paramLabel = "DEV=RATE",
            description = "Read bandwidth limit per device, e.g. /dev/sda=10M or 8:0=10M (repeatable).")
    Map<String, String> ioReadBps = new java.util.LinkedHashMap<>();

    @Option(names = "--io-write-bps", paramLabel = "DEV=RATE",
            description = "Write bandwidth limit per device, as --io-read-bps (repeatable).")
    Map<String, String> ioWriteBps = new java.util.LinkedHashMap<>();

    /** Whether any limit was given. */
    boolean any() {
        return memory != null || cpus != null || pids != null || !ioReadBps.isEmpty() || !ioWriteBps.isEmpty();
    }

    /** The controllers the limits need. */
    Set<Controller> controllers() {
        Set<Controller> set = EnumSet.noneOf(Controller.class);
        if (memory != null) {
            set.add(Controller.MEMORY);
        }
        if (cpus != null) {
            set.add(Controller.CPU);
        }
        if (pids != null) {
            set.add(Controller.PIDS);
        }
        if (!ioReadBps.isEmpty() || !ioWriteBps.isEmpty()) {
            set.add(Controller.IO);
        }
        return set;
    }

    /**
     * The limits as controller specs, validated (so a bad value fails before any group exists).
     *
     * @throws IOException if a device path cannot be resolved to a device number
     */
    List<ControllerSpec> specs() throws IOException {
        List<ControllerSpec> specs = new ArrayList<>();
        if (memory != null) {
            specs.add(MemorySpec.limit(memory));
        }
        if (cpus != null) {
            specs.add(CpuSpec.cpus(cpus));
        }
        if (pids != null) {
            specs.add(pids < 0 ? PidsSpec.unlimited() : PidsSpec.max(pids));
        }
        if (!ioReadBps.isEmpty() || !ioWriteBps.isEmpty()) {
            IoSpec io = IoSpec.unset();
            for (Map.Entry<String, String> e : ioReadBps.entrySet()) {
                io = io.readBps(device(e.getKey()), Sizes.parse(e.getValue()));
            }
            for (Map.Entry<String, String> e : ioWriteBps.entrySet()) {
                io = io.writeBps(device(e.getKey()), Sizes.parse(e.getValue()));
            }
            specs.add(io);
        }
        return specs;
    }

    /** A device given as a path under /dev or as MAJOR:MINOR. */
    private static DeviceNumber device(String text) throws IOException {
        return text.startsWith("/") ? DeviceNumber.of(Path.of(text)) : DeviceNumber.parse(text);
    }

    /** Converts --memory values; picocli names the option in the error message. */
    static final class SizeConverter implements picocli.CommandLine.ITypeConverter<Bytes> {
        @Override
        public Bytes convert(String value) {
            return Sizes.parse(value);
        }
    }
}
