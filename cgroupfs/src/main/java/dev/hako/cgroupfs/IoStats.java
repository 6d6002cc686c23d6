package dev.hako.cgroupfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Bytes and operations per block device.
 *
 * <p>v2: {@code io.stat}, lines {@code MAJ:MIN rbytes= wbytes= rios= wios= dbytes= dios=};
 * v1: {@code blkio.throttle.io_service_bytes_recursive} and
 * {@code blkio.throttle.io_serviced_recursive}, lines {@code MAJ:MIN Read|Write|Sync|Async|Discard|Total N}
 * plus a final {@code Total N}. Discards are 0 on v1 kernels that do not report them.
 *
 * @param devices one entry per device, in file order
 */
public record IoStats(List<Device> devices) {
    /**
     * Copies the list.
     *
     * @param devices the devices
     */
    public IoStats {
        devices = List.copyOf(devices);
    }

    /**
     * Counters for one device.
     */
    public static final class Device {
        private final DeviceNumber device;
        private final long readBytes;
        private final long writeBytes;
        private final long readOps;
        private final long writeOps;
        private final long discardBytes;
        private final long discardOps;

        Device(DeviceNumber device, long readBytes, long writeBytes, long readOps, long writeOps, long discardBytes,
                long discardOps) {
            this.device = device;
            this.readBytes = readBytes;
            this.writeBytes = writeBytes;
            this.readOps = readOps;
            this.writeOps = writeOps;
            this.discardBytes = discardBytes;
            this.discardOps = discardOps;
        }

        /** {@return the device} */
        public DeviceNumber device() {
            return device;
        }

        /** {@return bytes read} */
        public long readBytes() {
            return readBytes;
        }

        /** {@return bytes written} */
        public long writeBytes() {
            return writeBytes;
        }

        /** {@return read operations} */
        public long readOps() {
            return readOps;
        }

        /** {@return write operations} */
        public long writeOps() {
            return writeOps;
        }

        /** {@return bytes discarded} */
        public long discardBytes() {
            return discardBytes;
        }

        /** {@return discard operations} */
        public long discardOps() {
            return discardOps;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Device other && Objects.equals(device, other.device)
                    && Objects.equals(readBytes, other.readBytes)
                    && Objects.equals(writeBytes, other.writeBytes)
                    && Objects.equals(readOps, other.readOps)
                    && Objects.equals(writeOps, other.writeOps)
                    && Objects.equals(discardBytes, other.discardBytes)
                    && Objects.equals(discardOps, other.discardOps);
        }

        @Override
        public int hashCode() {
            return Objects.hash(device, readBytes, writeBytes, readOps, writeOps, discardBytes, discardOps);
        }

        @Override
        public String toString() {
            return "Device[" + "device=" + device + ", "
                    + "readBytes=" + readBytes + ", "
                    + "writeBytes=" + writeBytes + ", "
                    + "readOps=" + readOps + ", "
                    + "writeOps=" + writeOps + ", "
                    + "discardBytes=" + discardBytes + ", "
                    + "discardOps=" + discardOps + "]";
        }
    }

    /**
     * Parses v2 {@code io.stat}; unknown keys (such as the {@code cost.*} of io.cost) are ignored.
     *
     * @param content the file content
     * @return the statistics
     * @throws CgroupFormatException for a malformed file
     */
    public static IoStats parseV2(String content) {
        List<Device> out = new ArrayList<>();
        Map<String, Map<String, String>> lines = KeyedFile.nested(content, "io.stat");
        for (Map.Entry<String, Map<String, String>> line : lines.entrySet()) {
            Map<String, String> v = line.getValue();
            String where = "io.stat device " + line.getKey();
            out.add(new Device(DeviceNumber.parse(line.getKey()), num(v, "rbytes", where), num(v, "wbytes", where),
                    num(v, "rios", where), num(v, "wios", where), num(v, "dbytes", where), num(v, "dios", where)));
        }
        return new IoStats(out);
    }

    private static long num(Map<String, String> values, String key, String where) {
        String text = values.get(key);
        return text == null ? 0 : Numbers.parseUnsigned(text, where + " " + key);
    }

    /**
     * Parses the v1 throttle statistics.
     *
     * @param serviceBytes {@code blkio.throttle.io_service_bytes_recursive}
     * @param serviced {@code blkio.throttle.io_serviced_recursive}
     * @return the statistics
     * @throws CgroupFormatException for a malformed file
     */
    public static IoStats parseV1(String serviceBytes, String serviced) {
        Map<String, Map<String, Long>> bytes = v1Lines(serviceBytes, "blkio.throttle.io_service_bytes_recursive");
        Map<String, Map<String, Long>> ops = v1Lines(serviced, "blkio.throttle.io_serviced_recursive");
        List<Device> out = new ArrayList<>();
        for (String device : bytes.keySet()) {
            Map<String, Long> b = bytes.get(device);
            Map<String, Long> o = ops.getOrDefault(device, Map.of());
            out.add(new Device(DeviceNumber.parse(device), b.getOrDefault("Read", 0L), b.getOrDefault("Write", 0L),
                    o.getOrDefault("Read", 0L), o.getOrDefault("Write", 0L), b.getOrDefault("Discard", 0L),
                    o.getOrDefault("Discard", 0L)));
        }
        return new IoStats(out);
    }

    private static Map<String, Map<String, Long>> v1Lines(String content, String file) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        int n = 0;
        for (String line : KeyedFile.lines(content, file)) {
            n++;
            String[] parts = line.trim().split("\\s+");
            if (line.isBlank() || (parts.length == 2 && parts[0].equals("Total"))) {
                continue; // the grand total repeats the per-device sums
            }
            if (parts.length != 3) {
                throw new CgroupFormatException(file + " line " + n + " is not 'MAJ:MIN Op N': '" + line + "'");
            }
            out.computeIfAbsent(parts[0], k -> new LinkedHashMap<>())
                    .put(parts[1], Numbers.parseUnsigned(parts[2], file + " line " + n));
        }
        return out;
    }
}
