package dev.hako.cgroupfs;

import java.util.List;

/**
 * A group could not be removed because processes are still in it when the deadline passed.
 */
public final class CgroupNotEmptyException extends CgroupException {
    private static final long serialVersionUID = 1L;

    /** The group path. */
    private final String path;
    /** The pids left when the deadline passed. */
    private final transient List<Long> pids;

    /**
     * Creates the exception.
     *
     * @param path the group path
     * @param pids the processes still in the group or its descendants
     * @param what what was being attempted, e.g. "delete" or "kill"
     */
    public CgroupNotEmptyException(String path, List<Long> pids, String what) {
        super("cannot " + what + " cgroup " + path + ": processes still in it after the deadline: " + pids);
        this.path = path;
        this.pids = List.copyOf(pids);
    }

    /** {@return the group path} */
    public String path() {
        return path;
    }

    /** {@return the pids still present when the deadline passed} */
    public List<Long> pids() {
        return pids;
    }
}
