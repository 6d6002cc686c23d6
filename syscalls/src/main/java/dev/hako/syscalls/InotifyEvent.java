package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/** Event bits of inotify(7) ({@code IN_*}). @see <a href="https://man7.org/linux/man-pages/man7/inotify.7.html">inotify(7)</a> */
public enum InotifyEvent implements Flag {
    /** File was read ({@code IN_ACCESS}). */
    ACCESS(Linux.IN_ACCESS(), "IN_ACCESS"),
    /** File was modified (cgroup *.events files report changes this way) ({@code IN_MODIFY}). */
    MODIFY(Linux.IN_MODIFY(), "IN_MODIFY"),
    /** Metadata changed ({@code IN_ATTRIB}). */
    ATTRIB(Linux.IN_ATTRIB(), "IN_ATTRIB"),
    /** Writable file was closed ({@code IN_CLOSE_WRITE}). */
    CLOSE_WRITE(Linux.IN_CLOSE_WRITE(), "IN_CLOSE_WRITE"),
    /** Read-only file was closed ({@code IN_CLOSE_NOWRITE}). */
    CLOSE_NOWRITE(Linux.IN_CLOSE_NOWRITE(), "IN_CLOSE_NOWRITE"),
    /** File was opened ({@code IN_OPEN}). */
    OPEN(Linux.IN_OPEN(), "IN_OPEN"),
    /** Entry moved out ({@code IN_MOVED_FROM}). */
    MOVED_FROM(Linux.IN_MOVED_FROM(), "IN_MOVED_FROM"),
    /** Entry moved in ({@code IN_MOVED_TO}). */
    MOVED_TO(Linux.IN_MOVED_TO(), "IN_MOVED_TO"),
    /** Entry created ({@code IN_CREATE}). */
    CREATE(Linux.IN_CREATE(), "IN_CREATE"),
    /** Entry deleted ({@code IN_DELETE}). */
    DELETE(Linux.IN_DELETE(), "IN_DELETE"),
    /** Watched object deleted ({@code IN_DELETE_SELF}). */
    DELETE_SELF(Linux.IN_DELETE_SELF(), "IN_DELETE_SELF"),
    /** Watched object moved ({@code IN_MOVE_SELF}). */
    MOVE_SELF(Linux.IN_MOVE_SELF(), "IN_MOVE_SELF"),
    /** Watch was removed ({@code IN_IGNORED}). */
    IGNORED(Linux.IN_IGNORED(), "IN_IGNORED"),
    /** Only watch a directory ({@code IN_ONLYDIR}). */
    ONLYDIR(Linux.IN_ONLYDIR(), "IN_ONLYDIR"),
    /** Do not follow a symlink ({@code IN_DONT_FOLLOW}). */
    DONT_FOLLOW(Linux.IN_DONT_FOLLOW(), "IN_DONT_FOLLOW"),
    /** Remove the watch after one event ({@code IN_ONESHOT}). */
    ONESHOT(Linux.IN_ONESHOT(), "IN_ONESHOT");

    private final long bits;
    private final String cName;

    InotifyEvent(long bits, String cName) {
        this.bits = bits;
        this.cName = cName;
    }

    @Override
    public long bits() {
        return bits;
    }

    @Override
    public String cName() {
        return cName;
    }
}
