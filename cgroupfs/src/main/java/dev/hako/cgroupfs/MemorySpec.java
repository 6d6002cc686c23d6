package dev.hako.cgroupfs;

import java.util.ArrayList;
import java.util.List;

/**
 * Memory limits and protection.
 *
 * <p>v2 files: {@code memory.min}, {@code memory.low}, {@code memory.high},
 * {@code memory.max}, {@code memory.swap.max}, {@code memory.oom.group}
 * (<a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#memory-interface-files">memory interface files</a>).
 * v1 equivalents (<a href="https://docs.kernel.org/admin-guide/cgroup-v1/memory.html">memory v1</a>):
 * max is {@code memory.limit_in_bytes}, low is {@code memory.soft_limit_in_bytes}, and the
 * swap limit becomes {@code memory.memsw.limit_in_bytes = max + swap} because v1 limits
 * memory and swap together. min, high and oom.group have no v1 equivalent and are refused
 * when rendering for v1.
 *
 * @param min hard protection, or null
 * @param low best-effort protection, or null
 * @param high throttling threshold, or null
 * @param max hard limit (the OOM killer acts above it), or null
 * @param swapMax swap limit, or null
 * @param oomGroup whether an OOM kill takes the whole group, or null
 */
public record MemorySpec(Bytes min, Bytes low, Bytes high, Bytes max, Bytes swapMax, Boolean oomGroup)
        implements ControllerSpec {

    /** {@return a spec that sets nothing} */
    public static MemorySpec unset() {
        return new MemorySpec(null, null, null, null, null, null);
    }

    /**
     * A spec with only the hard limit.
     *
     * @param max the limit
     * @return the spec
     */
    public static MemorySpec limit(Bytes max) {
        return unset().withMax(max);
    }

    /**
     * A copy with {@code min} set.
     *
     * @param min the new value
     * @return the copy
     */
    public MemorySpec withMin(Bytes min) {
        return new MemorySpec(min, low, high, max, swapMax, oomGroup);
    }

    /**
     * A copy with {@code low} set.
     *
     * @param low the new value
     * @return the copy
     */
    public MemorySpec withLow(Bytes low) {
        return new MemorySpec(min, low, high, max, swapMax, oomGroup);
    }

    /**
     * A copy with {@code high} set.
     *
     * @param high the new value
     * @return the copy
     */
    public MemorySpec withHigh(Bytes high) {
        return new MemorySpec(min, low, high, max, swapMax, oomGroup);
    }

    /**
     * A copy with {@code max} set.
     *
     * @param max the new value
     * @return the copy
     */
    public MemorySpec withMax(Bytes max) {
        return new MemorySpec(min, low, high, max, swapMax, oomGroup);
    }

    /**
     * A copy with {@code swapMax} set.
     *
     * @param swapMax the new value
     * @return the copy
     */
    public MemorySpec withSwapMax(Bytes swapMax) {
        return new MemorySpec(min, low, high, max, swapMax, oomGroup);
    }

    /**
     * A copy with {@code oomGroup} set.
     *
     * @param oomGroup the new value
     * @return the copy
     */
    public MemorySpec withOomGroup(boolean oomGroup) {
        return new MemorySpec(min, low, high, max, swapMax, oomGroup);
    }

    @Override
    public Controller controller() {
        return Controller.MEMORY;
    }

    @Override
    public List<Setting> render(CgroupVersion version) {
        List<Setting> out = new ArrayList<>();
        if (version == CgroupVersion.V2) {
            add(out, "memory.min", min);
            add(out, "memory.low", low);
            add(out, "memory.high", high);
            add(out, "memory.max", max);
            add(out, "memory.swap.max", swapMax);
            if (oomGroup != null) {
                out.add(new Setting(Controller.MEMORY, "memory.oom.group", oomGroup ? "1" : "0"));
            }
            return out;
        }
        noV1("memory.min", min);
        noV1("memory.high", high);
        noV1("memory.oom.group", oomGroup);
        if (max != null) {
            out.add(new Setting(Controller.MEMORY, "memory.limit_in_bytes", max.v1()));
        }
        if (swapMax != null) {
            out.add(new Setting(Controller.MEMORY, "memory.memsw.limit_in_bytes", memsw().v1()));
        }
        if (low != null) {
            out.add(new Setting(Controller.MEMORY, "memory.soft_limit_in_bytes", low.v1()));
        }
        return out;
    }

    private Bytes memsw() {
        if (swapMax.isMax()) {
            return Bytes.MAX;
        }
        if (max == null || max.isMax()) {
            throw new InvalidSpecException("a swap limit (" + swapMax + ") on cgroup v1 needs a finite memory max: "
                    + "v1 limits memory+swap together (memory.memsw.limit_in_bytes)");
        }
        try {
            return Bytes.of(Math.addExact(max.value(), swapMax.value()));
        } catch (ArithmeticException e) {
            throw new InvalidSpecException("memory max " + max + " plus swap " + swapMax + " overflows 64 bits");
        }
    }

    private static void noV1(String file, Object value) {
        if (value != null) {
            throw new InvalidSpecException(file + " (" + value + ") has no cgroup v1 equivalent");
        }
    }

    private static void add(List<Setting> out, String file, Bytes value) {
        if (value != null) {
            out.add(new Setting(Controller.MEMORY, file, value.v2()));
        }
    }
}
