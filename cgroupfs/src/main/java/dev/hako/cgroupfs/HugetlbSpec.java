package dev.hako.cgroupfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Huge-page limits per page size: v2 {@code hugetlb.<size>.max}, v1
 * {@code hugetlb.<size>.limit_in_bytes}, where size is written as the kernel names it
 * ({@code 2MB}, {@code 1GB}, {@code 64KB}); see
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v1/hugetlb.html">hugetlb</a>.
 */
public final class HugetlbSpec implements ControllerSpec {
    private final Map<Bytes, Bytes> limits;

    private HugetlbSpec(Map<Bytes, Bytes> limits) {
        this.limits = limits;
    }

    /** {@return a spec that sets nothing} */
    public static HugetlbSpec unset() {
        return new HugetlbSpec(Map.of());
    }

    /**
     * Limits huge pages of one size.
     *
     * @param pageSize a power of two of at least 4 KiB, e.g. {@code Bytes.mib(2)}
     * @param limit total bytes of such pages, or {@link Bytes#MAX}
     * @return a new spec
     * @throws InvalidSpecException for a page size that is not a power of two of at least 4 KiB
     */
    public HugetlbSpec limit(Bytes pageSize, Bytes limit) {
        pageSizeName(pageSize);
        Map<Bytes, Bytes> copy = new LinkedHashMap<>(limits);
        copy.put(pageSize, limit);
        return new HugetlbSpec(copy);
    }

    /** The kernel's name for a page size in file names: 2MB, 1GB, 64KB. */
    static String pageSizeName(Bytes pageSize) {
        long v = pageSize.value();
        if (pageSize.isMax() || v < 4096 || Long.bitCount(v) != 1) {
            throw new InvalidSpecException("huge page size " + pageSize + " is not a power of two of at least 4 KiB");
        }
        if (v >= 1L << 30) {
            return (v >> 30) + "GB";
        }
        if (v >= 1L << 20) {
            return (v >> 20) + "MB";
        }
        return (v >> 10) + "KB";
    }

    @Override
    public Controller controller() {
        return Controller.HUGETLB;
    }

    @Override
    public List<Setting> render(CgroupVersion version) {
        List<Setting> out = new ArrayList<>();
        limits.forEach((size, limit) -> {
            String name = pageSizeName(size);
            out.add(version == CgroupVersion.V2
                    ? new Setting(Controller.HUGETLB, "hugetlb." + name + ".max", limit.v2())
                    : new Setting(Controller.HUGETLB, "hugetlb." + name + ".limit_in_bytes", limit.v1()));
        });
        return out;
    }
}
