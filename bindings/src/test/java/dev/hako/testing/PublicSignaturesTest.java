package dev.hako.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.bindings.Arch;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Fixtures are public members of a public class, as the API types the check reads. */
public class PublicSignaturesTest {

    /** Names {@link Arch} in every place a signature can. */
    public static final class Leaky implements Supplier<Arch> {
        /** A field. */
        public Arch field;

        /** A constructor. */
        public Leaky(Arch arch) {
            field = arch;
        }

        @Override
        public Arch get() {
            return field;
        }

        /** Inside a wildcard of a map's value. */
        public static Map<String, List<? extends Arch>> nested() {
            return Map.of();
        }

        /** Unseen by users: not a leak. */
        private Arch hidden() {
            return field;
        }

        /** A bound of a type parameter. */
        public static <T extends Arch> T bound(T value) {
            return value;
        }
    }

    /** Would leak, but users cannot see it. */
    static final class Hidden {
        /** Not a leak: the type is package-private. */
        public Arch arch() {
            return Arch.CURRENT;
        }
    }

    @Test
    void namesEveryMemberThatNamesAnUnreadableType() {
        PublicSignatures signatures = PublicSignatures.of(List.of(Leaky.class, Hidden.class),
                type -> !type.getPackageName().equals("dev.hako.bindings"), "a test");

        String leaky = Leaky.class.getName();
        String tail = " names dev.hako.bindings.Arch, which a module-path user of a test cannot read";
        assertThat(signatures.leaks()).containsExactlyInAnyOrder(
                leaky + " (its supertypes and type parameters)" + tail,
                leaky + ".field" + tail,
                leaky + ".<init>(Arch)" + tail,
                leaky + ".get()" + tail,
                leaky + ".nested()" + tail,
                leaky + ".bound(Arch)" + tail);
        assertThat(signatures.members()).noneMatch(m -> m.contains("hidden") || m.startsWith(Hidden.class.getName()));
    }

    @Test
    void readableTypesAreNoLeak() {
        PublicSignatures signatures = PublicSignatures.of(List.of(Leaky.class), type -> true, "a test");

        assertThat(signatures.leaks()).isEmpty();
        assertThat(signatures.members()).contains(Leaky.class.getName() + ".nested()");
    }
}
