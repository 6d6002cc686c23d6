package dev.hako.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Evaluates {@link Privileged}: skips with a reason locally, fails under {@code CI=true}.
 *
 * <p>An exception thrown from an {@link ExecutionCondition} makes JUnit report the test
 * (or the whole class) as failed, which is what CI needs.
 */
public final class PrivilegedCondition implements ExecutionCondition {

    /** Whether the suite runs in CI, where missing privileges are an error. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<Privileged> annotation = context.getElement()
                .flatMap(element -> AnnotationSupport.findAnnotation(element, Privileged.class));
        if (annotation.isEmpty()) {
            return ConditionEvaluationResult.enabled("not privileged");
        }
        List<String> missing = missing(annotation.get());
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("requirements met");
        }
        String reason = String.join("; ", missing);
        if (inCi()) {
            throw new ExtensionConfigurationException("CI=true and this test cannot run: " + reason
                    + ". Fix the CI machine (or the test's requirements); a skipped test proves nothing.");
        }
        return ConditionEvaluationResult.disabled(reason);
    }

    static List<String> missing(Privileged privileged) {
        List<String> missing = new ArrayList<>();
        for (Requirement requirement : privileged.value()) {
            if (!requirement.holds()) {
                missing.add(requirement.reason());
            }
        }
        for (String program : privileged.programs()) {
            if (!onPath(program)) {
                missing.add("needs the program '" + program + "' on PATH");
            }
        }
        return missing;
    }

    static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
