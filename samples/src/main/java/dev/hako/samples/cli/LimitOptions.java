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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The cgroup limit flags shared by {@code hako run}, {@code cgroup create} and {@code cgroup set}. */
final class LimitOptions {

    @Option(names = "--memory", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Memory limit, e.g. 256M (binary units) or max.")
    Bytes memory;

    @Option(names = "--cpus", paramLabel = "CPUS", description = "CPU quota in CPUs, e.g. 0.5 for half of one.")
    Double cpus;

    @Option(names = "--pids", paramLabel = "N", description = "Most tasks (processes and threads) at once.")
    Long pids;

    @Option(names = "--io-read-bps", paramLabel = "DEV=RATE", converter = {DeviceConverter.class, SizeConverter.class},
            description = "Read bandwidth limit per device, e.g. /dev/sda=10M or 8:0=10M (repeatable).")
    Map<DeviceNumber, Bytes> ioReadBps = new LinkedHashMap<>();

    @Option(names = "--io-write-bps", paramLabel = "DEV=RATE", converter = {DeviceConverter.class, SizeConverter.class},
            description = "Write bandwidth limit per device, as --io-read-bps (repeatable).")
    Map<DeviceNumber, Bytes> ioWriteBps = new LinkedHashMap<>();

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
     * Devices and sizes were already checked while parsing, by the converters.
     */
    List<ControllerSpec> specs() {
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
            for (Map.Entry<DeviceNumber, Bytes> e : ioReadBps.entrySet()) {
                io = io.readBps(e.getKey(), e.getValue());
            }
            for (Map.Entry<DeviceNumber, Bytes> e : ioWriteBps.entrySet()) {
                io = io.writeBps(e.getKey(), e.getValue());
            }
            specs.add(io);
        }
        return specs;
    }

    /**
     * Converts --memory values and the RATE of the --io-*-bps flags. A bad value is a
     * {@link TypeConversionException}, which picocli reports as a usage error naming the
     * option, with this message as is.
     */
    static final class SizeConverter implements ITypeConverter<Bytes> {
        @Override
        public Bytes convert(String value) {
            try {
                return Sizes.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * Converts the DEV of the --io-*-bps flags: a block device node (an absolute path, whose
     * device number is read with stat) or {@code MAJOR:MINOR}. Runs while parsing, so a
     * missing or wrong device is a usage error (status 2) before any group exists.
     */
    static final class DeviceConverter implements ITypeConverter<DeviceNumber> {
        @Override
        public DeviceNumber convert(String text) {
            if (!text.startsWith("/")) {
                try {
                    return DeviceNumber.parse(text);
                } catch (IllegalArgumentException e) {
                    throw new TypeConversionException("'" + text + "' is neither a block device path such as /dev/sda"
                            + " nor MAJOR:MINOR such as 8:0");
                }
            }
            try {
                return DeviceNumber.of(Path.of(text));
            } catch (NoSuchFileException e) {
                throw new TypeConversionException("no such device " + text);
            } catch (IOException | IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
