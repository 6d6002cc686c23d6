package dev.hako.cgroupfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Block I/O weight and per-device bandwidth and IOPS limits.
 *
 * <p>v2: {@code io.weight} ({@code default N}) and {@code io.max} (one line per device,
 * {@code MAJ:MIN rbps= wbps= riops= wiops=}); see
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#io-interface-files">io interface files</a>.
 * v1: {@code blkio.bfq.weight} and {@code blkio.throttle.{read,write}_{bps,iops}_device};
 * see <a href="https://docs.kernel.org/admin-guide/cgroup-v1/blkio-controller.html">blkio</a>.
 * The v1 weight file is BFQ's because the CFQ scheduler that provided {@code blkio.weight}
 * left the kernel in 5.0; BFQ's range is 1..1000, so the weight is divided by 10 (rounded
 * up), which keeps ratios between siblings.
 */
public final class IoSpec implements ControllerSpec {
    /** An IOPS value meaning "no limit". */
    public static final long UNLIMITED = Long.MAX_VALUE;

    private final Integer weight;
    private final Map<DeviceNumber, Limits> limits;

    /** Per-device limits; null members are not set. */
    private record Limits(Bytes rbps, Bytes wbps, Long riops, Long wiops) {
    }

    private IoSpec(Integer weight, Map<DeviceNumber, Limits> limits) {
        this.weight = weight;
        this.limits = limits;
    }

    /** {@return a spec that sets nothing} */
    public static IoSpec unset() {
        return new IoSpec(null, Map.of());
    }

    /**
     * Sets the default weight.
     *
     * @param weight 1..10000 (default 100)
     * @return a new spec
     * @throws InvalidSpecException outside 1..10000
     */
    public IoSpec weight(int weight) {
        if (weight < 1 || weight > 10000) {
            throw new InvalidSpecException("io weight " + weight + " is outside 1..10000");
        }
        return new IoSpec(weight, limits);
    }

    /**
     * Limits read bandwidth on a device.
     *
     * @param device the device
     * @param perSecond bytes per second, or {@link Bytes#MAX}
     * @return a new spec
     */
    public IoSpec readBps(DeviceNumber device, Bytes perSecond) {
        Limits l = current(device);
        return with(device, new Limits(Objects.requireNonNull(perSecond), l.wbps, l.riops, l.wiops));
    }

    /**
     * Limits write bandwidth on a device.
     *
     * @param device the device
     * @param perSecond bytes per second, or {@link Bytes#MAX}
     * @return a new spec
     */
    public IoSpec writeBps(DeviceNumber device, Bytes perSecond) {
        Limits l = current(device);
        return with(device, new Limits(l.rbps, Objects.requireNonNull(perSecond), l.riops, l.wiops));
    }

    /**
     * Limits read operations per second on a device.
     *
     * @param device the device
     * @param iops 0 or more, or {@link #UNLIMITED}
     * @return a new spec
     * @throws InvalidSpecException if negative
     */
    public IoSpec readIops(DeviceNumber device, long iops) {
        Limits l = current(device);
        return with(device, new Limits(l.rbps, l.wbps, iops("read", iops), l.wiops));
    }

    /**
     * Limits write operations per second on a device.
     *
     * @param device the device
     * @param iops 0 or more, or {@link #UNLIMITED}
     * @return a new spec
     * @throws InvalidSpecException if negative
     */
    public IoSpec writeIops(DeviceNumber device, long iops) {
        Limits l = current(device);
        return with(device, new Limits(l.rbps, l.wbps, l.riops, iops("write", iops)));
    }

    private static long iops(String what, long iops) {
        if (iops < 0) {
            throw new InvalidSpecException("io " + what + " iops " + iops + " is negative");
        }
        return iops;
    }

    private Limits current(DeviceNumber device) {
        return limits.getOrDefault(Objects.requireNonNull(device, "device"), new Limits(null, null, null, null));
    }

    private IoSpec with(DeviceNumber device, Limits l) {
        Map<DeviceNumber, Limits> copy = new LinkedHashMap<>(limits);
        copy.put(device, l);
        return new IoSpec(weight, copy);
    }

    @Override
    public Controller controller() {
        return Controller.IO;
    }

    @Override
    public List<Setting> render(CgroupVersion version) {
        List<Setting> out = new ArrayList<>();
        if (version == CgroupVersion.V2) {
            if (weight != null) {
                out.add(new Setting(Controller.IO, "io.weight", "default " + weight));
            }
            limits.forEach((device, l) -> {
                StringBuilder line = new StringBuilder(device.toString());
                if (l.rbps != null) {
                    line.append(" rbps=").append(l.rbps.v2());
                }
                if (l.wbps != null) {
                    line.append(" wbps=").append(l.wbps.v2());
                }
                if (l.riops != null) {
                    line.append(" riops=").append(v2(l.riops));
                }
                if (l.wiops != null) {
                    line.append(" wiops=").append(v2(l.wiops));
                }
                out.add(new Setting(Controller.IO, "io.max", line.toString()));
            });
            return out;
        }
        if (weight != null) {
            out.add(new Setting(Controller.IO, "blkio.bfq.weight", Integer.toString((weight + 9) / 10)));
        }
        // v1 throttle files take one device per write; 0 removes the limit.
        limits.forEach((device, l) -> {
            if (l.rbps != null) {
                out.add(new Setting(Controller.IO, "blkio.throttle.read_bps_device", device + " " + v1(l.rbps)));
            }
            if (l.wbps != null) {
                out.add(new Setting(Controller.IO, "blkio.throttle.write_bps_device", device + " " + v1(l.wbps)));
            }
            if (l.riops != null) {
                out.add(new Setting(Controller.IO, "blkio.throttle.read_iops_device", device + " " + v1(l.riops)));
            }
            if (l.wiops != null) {
                out.add(new Setting(Controller.IO, "blkio.throttle.write_iops_device", device + " " + v1(l.wiops)));
            }
        });
        return out;
    }

    private static String v2(long iops) {
        return iops == UNLIMITED ? "max" : Long.toString(iops);
    }

    private static String v1(long iops) {
        return iops == UNLIMITED ? "0" : Long.toString(iops);
    }

    private static String v1(Bytes bps) {
        return bps.isMax() ? "0" : Long.toString(bps.value());
    }

    @Override
    public String toString() {
        return "IoSpec" + render(CgroupVersion.V2);
    }
}
