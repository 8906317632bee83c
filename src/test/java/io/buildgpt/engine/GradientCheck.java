package io.buildgpt.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Compares a model's analytic gradients with central finite differences of its loss. */
public final class GradientCheck {
    private GradientCheck() {}

    /**
     * For every scalar of every parameter: (L(w + h) - L(w - h)) / 2h against the gradient that
     * {@code lossAndGradients} wrote. Returns the largest absolute difference seen.
     */
    public static double check(LanguageModel model, int[] x, int[] y, int batch, int time, double h, double tolerance) {
        model.lossAndGradients(x, y, batch, time);
        double worst = 0;
        for (Parameter p : model.trainableParameters()) { // frozen weights (LoRA's base) get no gradient
            float[] w = p.data();
            float[] analytic = p.grad().clone();
            for (int j = 0; j < w.length; j++) {
                float saved = w[j];
                w[j] = (float) (saved + h);
                double plus = model.loss(x, y, batch, time);
                w[j] = (float) (saved - h);
                double minus = model.loss(x, y, batch, time);
                w[j] = saved;
                double numeric = (plus - minus) / (2 * h);
                worst = Math.max(worst, Math.abs(numeric - analytic[j]));
                assertEquals(numeric, analytic[j], tolerance, p.name() + "[" + j + "]");
            }
        }
        return worst;
    }
}
