package dev.hako.samples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.syscalls.FeatureReport;
import dev.hako.syscalls.KernelFeatures;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hako features}: what the running kernel offers, as a table or JSON. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Probes the kernel for the container features Hako uses and prints a table.")
final class FeaturesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        FeatureReport report = KernelFeatures.probe();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(report));
        } else {
            out.print(report.describe());
        }
        out.flush();
        return 0;
    }

    /** The report as one JSON object; feature keys are the enum names, stable for scripts. */
    static String toJson(FeatureReport report) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("kernel", report.kernelRelease());
        root.put("machine", report.machine());
        root.put("cgroupMode", report.cgroupMode().name());
        ArrayNode controllers = root.putArray("cgroupControllers");
        report.cgroupControllers().forEach(controllers::add);
        ArrayNode features = root.putArray("features");
        for (FeatureReport.Result result : report.results()) {
            features.addObject()
                    .put("name", result.feature().name())
                    .put("label", result.feature().label())
                    .put("since", result.feature().since())
                    .put("available", result.available())
                    .put("detail", result.detail());
        }
        return mapper.writeValueAsString(root);
    }
}
