package dev.hako.syscalls.calls;

import java.util.Arrays;

/**
 * One syscall, encoded: its number, the six argument words the kernel gets, and the
 * arguments as strace would print them, for plans and failure messages. Made by the
 * encoders of this package ({@link MountCalls}, {@link FileCalls}...), which the typed
 * wrappers of {@code dev.hako.syscalls} run at once and the launch engine writes into the
 * rows of a child program.
 *
 * <p>What a word points to (a string, a struct) was allocated by the encoder from the
 * allocator it was given and lives as long as that allocator's memory.
 *
 * <p>A caller that fills an argument in later (the engine, from a slot at run time) shows
 * it by name with {@link #showing}.
 */
public final class Call {

    /**
     * The arguments as printed, made only when asked for: a typed wrapper asks only when
     * the call failed, so that its success path allocates no text.
     */
    @FunctionalInterface
    public interface Shown {
        /** The arguments as printed, at most one per word. */
        String[] arguments();
    }

    private static final String[] NONE = new String[0];

    private final String name;
    private final int number;
    private final long[] words;
    private final Shown shown;

    private Call(String name, int number, long[] words, Shown shown) {
        this.name = name;
        this.number = number;
        this.words = words;
        this.shown = shown;
    }

    /**
     * An encoded call.
     *
     * @param name   the syscall's name as in its man page
     * @param number its number on the running architecture
     * @param words  up to six argument words, missing ones 0; the array is kept, not copied
     * @param shown  the arguments as printed, computed when a description is asked for
     */
    public static Call of(String name, int number, long[] words, Shown shown) {
        if (words.length > 6) {
            throw new IllegalArgumentException("a syscall takes at most six arguments");
        }
        return new Call(name, number, words, shown);
    }

    /** An encoded call that takes no arguments. */
    public static Call of(String name, int number) {
        return new Call(name, number, new long[0], () -> NONE);
    }

    /** The syscall's name, as in its man page and in errors. */
    public String name() {
        return name;
    }

    /** The syscall number. */
    public int number() {
        return number;
    }

    /** Argument word {@code index} (0 to 5). */
    public long word(int index) {
        return index < words.length ? words[index] : 0;
    }

    /** The six argument words. */
    public long[] words() {
        return Arrays.copyOf(words, 6);
    }

    /** How many arguments are shown. */
    public int shownCount() {
        return shown.arguments().length;
    }

    /** The arguments as printed, comma-separated, e.g. {@code "\"/proc\", O_PATH|O_CLOEXEC"}. */
    public String arguments() {
        return String.join(", ", shown.arguments());
    }

    /** The call as strace prints it: {@code name(arguments)}. */
    public String describe() {
        return name + "(" + arguments() + ")";
    }

    /**
     * This call with argument {@code index} shown as {@code text}: a descriptor or value
     * known only when the call runs, named as the plan names it ({@code "<root>"}).
     */
    public Call showing(int index, String text) {
        String[] copy = shown.arguments().clone();
        if (index < 0 || index >= copy.length) {
            throw new IllegalArgumentException(name + " shows " + copy.length + " arguments, not " + (index + 1));
        }
        copy[index] = text;
        return new Call(name, number, words, () -> copy.clone());
    }

    @Override
    public String toString() {
        return describe();
    }
}
