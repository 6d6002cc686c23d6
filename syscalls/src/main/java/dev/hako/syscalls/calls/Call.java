package dev.hako.syscalls.calls;

import java.util.Arrays;
import java.util.Objects;

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

    private final String name;
    private final int number;
    private final long[] words;
    private final String[] shown;

    private Call(String name, int number, long[] words, String[] shown) {
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
     * @param words  up to six argument words; missing ones are 0
     * @param shown  the arguments as printed, at most one per word
     */
    public static Call of(String name, int number, long[] words, String... shown) {
        if (words.length > 6 || shown.length > 6) {
            throw new IllegalArgumentException("a syscall takes at most six arguments");
        }
        return new Call(Objects.requireNonNull(name, "name"), number, Arrays.copyOf(words, 6), shown.clone());
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
        return words[index];
    }

    /** The six argument words. */
    public long[] words() {
        return words.clone();
    }

    /** How many arguments are shown. */
    public int shownCount() {
        return shown.length;
    }

    /** The arguments as printed, comma-separated, e.g. {@code "\"/proc\", O_PATH|O_CLOEXEC"}. */
    public String arguments() {
        return String.join(", ", shown);
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
        if (index < 0 || index >= shown.length) {
            throw new IllegalArgumentException(name + " shows " + shown.length + " arguments, not " + (index + 1));
        }
        String[] copy = shown.clone();
        copy[index] = text;
        return new Call(name, number, words, copy);
    }

    @Override
    public String toString() {
        return describe();
    }
}
