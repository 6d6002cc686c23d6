package dev.hako.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Summary statistics: mean with a 95% confidence interval (Student's t), and percentiles
 * over a histogram of samples.
 */
final class Stats {

    /** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom. */
    private static final double[] T95 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
        2.056, 2.052, 2.048, 2.045, 2.042};

    private Stats() {
    }

    static double t95(long degrees) {
        if (degrees < 1) {
            return Double.NaN;
        }
        return degrees <= T95.length ? T95[(int) degrees - 1] : degrees <= 60 ? 2.00 : degrees <= 120 ? 1.98 : 1.96;
    }

    /** Mean, half-width of the 95% interval of the mean, sample count. */
    record Summary(double mean, double ci, long n) {

        static Summary of(List<Double> values) {
            Histogram h = new Histogram();
            values.forEach(v -> h.add(v, 1));
            return h.summary();
        }
    }

    /** Samples as value → count. */
    static final class Histogram {
        private final TreeMap<Double, Long> counts = new TreeMap<>();

        void add(double value, long count) {
            counts.merge(value, count, Long::sum);
        }

        long n() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        Summary summary() {
            long n = 0;
            double sum = 0;
            for (Map.Entry<Double, Long> e : counts.entrySet()) {
                n += e.getValue();
                sum += e.getKey() * e.getValue();
            }
            if (n == 0) {
                return new Summary(Double.NaN, Double.NaN, 0);
            }
            double mean = sum / n;
            double squares = 0;
            for (Map.Entry<Double, Long> e : counts.entrySet()) {
                squares += (e.getKey() - mean) * (e.getKey() - mean) * e.getValue();
            }
            double ci = n > 1 ? t95(n - 1) * Math.sqrt(squares / (n - 1)) / Math.sqrt(n) : Double.NaN;
            return new Summary(mean, ci, n);
        }

        /** The smallest value with at least fraction {@code p} of the samples at or below it. */
        double percentile(double p) {
            long n = n();
            long rank = Math.max(1, (long) Math.ceil(p * n));
            long seen = 0;
            for (Map.Entry<Double, Long> e : counts.entrySet()) {
                seen += e.getValue();
                if (seen >= rank) {
                    return e.getKey();
                }
            }
            return Double.NaN;
        }

        List<Double> values() {
            List<Double> out = new ArrayList<>();
            counts.forEach((v, c) -> {
                for (long i = 0; i < c; i++) {
                    out.add(v);
                }
            });
            return out;
        }
    }
}
