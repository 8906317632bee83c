package io.buildgpt.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * One batch: inputs {@code x} and targets {@code y}, both {@code (B, T)} int64, where
 * {@code y[b, t]} is the token that follows {@code x[b, 0..t]} in the text.
 */
public record Batch(INDArray x, INDArray y) {

    public int batchSize() {
        return (int) x.size(0);
    }

    public int blockSize() {
        return (int) x.size(1);
    }

    /** All {@code B * T} (context -> target) pairs the batch trains on, as a table. */
    public Table pairs(CharTokenizer tokenizer) {
        IntColumn b = IntColumn.create("b");
        ContextTargets.Pairs pairs = new ContextTargets.Pairs();
        long[][] xs = x.toLongMatrix();
        long[][] ys = y.toLongMatrix();
        for (int i = 0; i < xs.length; i++) {
            for (int j = 0; j < xs[i].length; j++) b.append(i);
            pairs.addRow(xs[i], ys[i], tokenizer);
        }
        return pairs.table("batch pairs (B=" + xs.length + ", T=" + xs[0].length + ")", b);
    }
}
