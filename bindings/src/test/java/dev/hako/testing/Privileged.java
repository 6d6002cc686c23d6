package dev.hako.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test (or class) that needs something the test process may not have: root's
 * capabilities, a cgroup layout, an installed program.
 *
 * <p>This is the project's one condition for such tests. Outside CI a missing requirement
 * skips the test with the reason; with the environment variable {@code CI=true} it fails
 * the test instead, because a suite that silently skips proves nothing.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(PrivilegedCondition.class)
public @interface Privileged {

    /** What the test needs; all must hold. */
    Requirement[] value() default Requirement.ROOT;

    /** Programs that must be found on PATH (e.g. {@code "newuidmap"}). */
    String[] programs() default {};
}
