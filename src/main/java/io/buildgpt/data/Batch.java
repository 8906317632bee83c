package io.buildgpt.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
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
        IntColumn t = IntColumn.create("t");
        StringColumn context = StringColumn.create("context");
        StringColumn contextText = StringColumn.create("context text");
        IntColumn target = IntColumn.create("target");
        StringColumn targetText = StringColumn.create("target char");
        long[][] xs = x.toLongMatrix();
        long[][] ys = y.toLongMatrix();
        for (int i = 0; i < xs.length; i++) {
            for (int j = 0; j < xs[i].length; j++) {
                long[] ctx = java.util.Arrays.copyOf(xs[i], j + 1);
                b.append(i);
                t.append(j);
                context.append(java.util.Arrays.toString(ctx));
                contextText.append(ContextTargets.visible(tokenizer.decode(ctx)));
                target.append((int) ys[i][j]);
                targetText.append(ContextTargets.visibleChar(tokenizer.decode(ys[i][j])));
            }
        }
        return Table.create("batch pairs (B=" + xs.length + ", T=" + xs[0].length + ")", b, t, context, contextText, target, targetText);
    }
}
