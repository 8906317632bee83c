package io.buildgpt.plot;

import io.buildgpt.train.LossHistory;

/** Builds a {@link LossHistory} with given numbers, through the public test hook of its package. */
final class LossHistoryFixture {
    private LossHistoryFixture() {}

    static LossHistory of(int[] steps, double[] train, double[] val) {
        return named("fixture", steps, train, val);
    }

    static LossHistory named(String name, int[] steps, double[] train, double[] val) {
        LossHistory h = new LossHistory(name);
        for (int i = 0; i < steps.length; i++) io.buildgpt.train.LossHistoryAccess.add(h, steps[i], train[i], val[i]);
        return h;
    }
}
