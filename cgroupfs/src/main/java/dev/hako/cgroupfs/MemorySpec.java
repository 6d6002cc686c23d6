package dev.hako.cgroupfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
 * <p>Built from {@link MemorySpec#unset()} or {@link MemorySpec#limit(Bytes)} and
 * {@code with...} copies, so that more memory files can be supported without breaking callers.
 */
public final class MemorySpec implements ControllerSpec {
    private final Bytes min;
    private final Bytes low;
    private final Bytes high;
    private final Bytes max;
    private final Bytes swapMax;
    private final Boolean oomGroup;

    private MemorySpec(Bytes min, Bytes low, Bytes high, Bytes max, Bytes swapMax, Boolean oomGroup) {
        this.min = min;
        this.low = low;
        this.high = high;
        this.max = max;
        this.swapMax = swapMax;
        this.oomGroup = oomGroup;
    }

    /** {@return hard protection, or null} */
    public Bytes min() {
        return min;
    }

    /** {@return best-effort protection, or null} */
    public Bytes low() {
        return low;
    }

    /** {@return throttling threshold, or null} */
    public Bytes high() {
        return high;
    }

    /** {@return hard limit (the OOM killer acts above it), or null} */
    public Bytes max() {
        return max;
    }

    /** {@return swap limit, or null} */
    public Bytes swapMax() {
        return swapMax;
    }

    /** {@return whether an OOM kill takes the whole group, or null} */
    public Boolean oomGroup() {
        return oomGroup;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemorySpec other && Objects.equals(min, other.min)
                && Objects.equals(low, other.low)
                && Objects.equals(high, other.high)
                && Objects.equals(max, other.max)
                && Objects.equals(swapMax, other.swapMax)
                && Objects.equals(oomGroup, other.oomGroup);
    }

    @Override
    public int hashCode() {
        return Objects.hash(min, low, high, max, swapMax, oomGroup);
    }

    @Override
    public String toString() {
        return "MemorySpec[" + "min=" + min + ", "
                + "low=" + low + ", "
                + "high=" + high + ", "
                + "max=" + max + ", "
                + "swapMax=" + swapMax + ", "
                + "oomGroup=" + oomGroup + "]";
    }

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
