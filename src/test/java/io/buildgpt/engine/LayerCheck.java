package io.buildgpt.engine;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient checks against central finite differences, for layers (through the scalar
 * {@code L = sum(out * R)} with a fixed random {@code R}, so {@code dL/dout = R}) and for whole models.
 *
 * <p>ReLU has a kink at 0: a central difference that straddles it is meaningless, and with hundreds
 * of hidden units some pre-activation is always within h of 0. So an entry whose central difference
 * disagrees with the analytic gradient gets a second look: the second-order one-sided differences
 * to its left and to its right. If those two disagree, the loss has a kink next to {@code w}, and
 * the analytic gradient (the slope on {@code w}'s own side) must match one of them within 5e-3. At most 15% of
 * entries may be excused that way (a kink in one row of the input touches that whole row). A wrong
 * gradient is still caught: on a smooth stretch all three estimates agree with each other and not
 * with it. Checked: every entry within 2e-3, and the error norm within 1e-3 of the gradient's norm plus 2e-5 (float32 rounding).
 */
public final class LayerCheck {
    private LayerCheck() {}

    public static void check(String what, float[] input, int outSize, Function<float[], float[]> forward,
                      Function<float[], float[]> backward, List<Parameter> params, double h) {
        float[] r = new float[outSize];
        Random rng = new Random(42);
        for (int i = 0; i < r.length; i++) r[i] = (float) rng.nextGaussian();
        for (Parameter p : params) p.zeroGrad();
        forward.apply(input);
        float[] dx = backward.apply(r).clone();
        DoubleSupplier loss = () -> {
            float[] out = forward.apply(input);
            double s = 0;
            for (int i = 0; i < r.length; i++) s += (double) out[i] * r[i];
            return s;
        };
        compare(what + " input", input, dx, loss, h);
        for (Parameter p : params) compare(what + " " + p.name(), p.data(), p.grad().clone(), loss, h);
    }

    public static void checkModel(LanguageModel model, int[] x, int[] y, int batch, int time, double h) {
        model.lossAndGradients(x, y, batch, time);
        for (Parameter p : model.trainableParameters()) {
            compare(p.name(), p.data(), p.grad().clone(), () -> model.loss(x, y, batch, time), h);
        }
    }

    private static double difference(float[] w, int j, DoubleSupplier loss, double h) {
        float saved = w[j];
        w[j] = (float) (saved + h);
        double plus = loss.getAsDouble();
        w[j] = (float) (saved - h);
        double minus = loss.getAsDouble();
        w[j] = saved;
        return (plus - minus) / (2 * h);
    }

    /** {@code (-3 L(w) + 4 L(w+h) - L(w+2h)) / 2h}: second order, looking only to one side of {@code w}. */
    private static double oneSided(float[] w, int j, DoubleSupplier loss, double h) {
        float saved = w[j];
        double l0 = loss.getAsDouble();
        w[j] = (float) (saved + h);
        double l1 = loss.getAsDouble();
        w[j] = (float) (saved + 2 * h);
        double l2 = loss.getAsDouble();
        w[j] = saved;
        return (-3 * l0 + 4 * l1 - l2) / (2 * h);
    }

    private static void compare(String what, float[] w, float[] analytic, DoubleSupplier loss, double h) {
        double diff2 = 0, norm2 = 0;
        int skipped = 0;
        for (int j = 0; j < w.length; j++) {
            double fine = difference(w, j, loss, h);
            if (Math.abs(fine - analytic[j]) > 2e-3) {
                double right = oneSided(w, j, loss, h), left = oneSided(w, j, loss, -h);
                boolean kink = Math.abs(right - left) > 4e-3;
                boolean matchesASide = Math.abs(right - analytic[j]) <= 5e-3 || Math.abs(left - analytic[j]) <= 5e-3; // one-sided: less accurate
                assertTrue(kink && matchesASide, what + "[" + j + "]: analytic " + analytic[j] + ", central " + fine
                        + ", one-sided left " + left + " right " + right);
                skipped++;
                continue;
            }
            
            diff2 += (fine - analytic[j]) * (fine - analytic[j]);
            norm2 += fine * fine;
        }
        assertTrue(skipped <= Math.max(1, 0.15 * w.length), what + ": " + skipped + " of " + w.length + " entries are not smooth");
        // the absolute floor: a float32 loss near 4 moves in steps of 4.8e-7, so a central difference over 2h = 0.02
        // carries up to ~2.4e-5 of rounding per entry; the sums' order (BLAS kernels) moves that noise around
        assertTrue(Math.sqrt(diff2) <= 1e-3 * Math.sqrt(norm2) + 2e-5,
                what + ": relative error " + Math.sqrt(diff2 / Math.max(norm2, 1e-30)) + " (error norm " + Math.sqrt(diff2) + ", gradient norm " + Math.sqrt(norm2) + ")");
    }
}
