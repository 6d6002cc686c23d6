package dev.hako.namespaces;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One line of a user namespace's {@code uid_map} or {@code gid_map}: ids
 * {@code inside..inside+count-1} in the namespace are {@code outside..} in the parent.
 *
 * @param inside  first id inside the namespace
 * @param outside first id in the parent namespace
 * @param count   how many ids
 * @see <a href="https://man7.org/linux/man-pages/man7/user_namespaces.7.html">user_namespaces(7)</a>
 */
public record IdMapping(long inside, long outside, long count) {

    /** The largest valid id: 2^32 - 2 (2^32 - 1 is the invalid id, -1). */
    public static final long MAX_ID = 0xfffffffeL;

    /** Validates the range on construction. */
    public IdMapping {
        if (count <= 0) {
            throw new IllegalArgumentException("id mapping " + inside + " " + outside + " " + count
                    + ": count must be at least 1");
        }
        check("inside", inside, count);
        check("outside", outside, count);
    }

    private static void check(String what, long first, long count) {
        if (first < 0 || first + count - 1 > MAX_ID) {
            throw new IllegalArgumentException("id mapping: " + what + " range " + first + ".." + (first + count - 1)
                    + " is outside 0.." + MAX_ID);
        }
    }

    /** A single id mapped to a single id. */
    public static IdMapping single(long inside, long outside) {
        return new IdMapping(inside, outside, 1);
    }

    /** The line as the kernel expects it: "inside outside count". */
    public String line() {
        return inside + " " + outside + " " + count;
    }

    /**
     * Checks a whole map: at most 340 lines (the kernel's limit), and no two ranges overlap
     * on either side.
     *
     * @param kind "uid" or "gid", for the message
     */
    static void validate(List<IdMapping> map, String kind) {
        if (map.size() > 340) {
            throw new IllegalArgumentException(kind + " map has " + map.size() + " lines; the kernel allows at most 340");
        }
        checkOverlap(map, kind, "inside", Comparator.comparingLong(IdMapping::inside), IdMapping::inside);
        checkOverlap(map, kind, "outside", Comparator.comparingLong(IdMapping::outside), IdMapping::outside);
    }

    private static void checkOverlap(List<IdMapping> map, String kind, String side, Comparator<IdMapping> order,
                                     java.util.function.ToLongFunction<IdMapping> start) {
        List<IdMapping> sorted = new ArrayList<>(map);
        sorted.sort(order);
        for (int i = 1; i < sorted.size(); i++) {
            IdMapping previous = sorted.get(i - 1);
            IdMapping current = sorted.get(i);
            if (start.applyAsLong(current) < start.applyAsLong(previous) + previous.count()) {
                throw new IllegalArgumentException(kind + " map ranges overlap on the " + side + " side: \""
                        + previous.line() + "\" and \"" + current.line() + "\"");
            }
        }
    }
}
