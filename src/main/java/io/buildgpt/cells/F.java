package io.buildgpt.cells;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The few functions of {@code torch.nn.functional} (and tensor methods) that the lecture's models use,
 * on SameDiff tensors inside a {@link CellModel}'s graph.
 */
public final class F {
    private F() {}

    /** {@code x.shape}: static inside a cell model's graph, so {@code B, T, C} are plain numbers. */
    public static long[] shape(SDVariable x) {
        return Graph.of(x).shapeOf(x);
    }

    /**
     * {@code F.cross_entropy(logits, targets)}: logits {@code (N, C)}, integer targets {@code (N)}, the
     * mean over N of {@code -log_softmax(logits)[target]}. Written out from elementary ops because in
     * M2.1 the gradient of SameDiff's {@code sparseSoftmaxCrossEntropy} ignores a following {@code mean()}
     * (it came out N times too large) and {@code logSoftmax} fails to build its gradient.
     */
    public static SDVariable crossEntropy(SDVariable logits, SDVariable targets) {
        SameDiff sd = logits.getSameDiff();
        long[] s = shape(logits);
        if (s.length != 2) throw new IllegalArgumentException("cross_entropy takes logits (N, C), got rank " + s.length + "; view them as (B*T, C) first");
        SDVariable shifted = logits.sub(logits.max(true, 1));                  // (N, C), largest 0: exp cannot overflow
        SDVariable logProbs = shifted.sub(sd.math().log(sd.math().exp(shifted).sum(true, 1))); // (N, C) log_softmax
        SDVariable picked = logProbs.mul(sd.oneHot(targets, (int) s[1])).sum(1); // (N): log p(target)
        return picked.mean().neg();                                           // ()
    }

    /** {@code F.softmax(x, dim)}; {@code dim = -1} is the last axis. */
    public static SDVariable softmax(SDVariable x, int dim) {
        return x.getSameDiff().nn().softmax(x, dim);
    }

    /** {@code F.relu(x)}. */
    public static SDVariable relu(SDVariable x) {
        return x.getSameDiff().nn().relu(x, 0);
    }

    /**
     * {@code x.masked_fill(condition, value)} for a fixed condition such as {@code tril[:T, :T] == 0}:
     * where {@code condition} is non-zero the result is {@code value} (e.g. {@code -inf}), elsewhere
     * {@code x}. The condition broadcasts over leading axes ({@code (T, T)} against {@code (B, T, T)}).
     * Done as {@code x + c} with {@code c} 0 or {@code value}, since {@code -inf + finite = -inf} and
     * the gradient of an addition passes through unchanged; {@code value} must be infinite or the
     * caller must accept {@code x + value} at the masked places.
     */
    public static SDVariable maskedFill(SDVariable x, INDArray condition, double value) {
        INDArray c = condition.castTo(DataType.FLOAT).neq(0).castTo(DataType.FLOAT); // 1 where filled
        INDArray add = Nd4j.zeros(DataType.FLOAT, c.shape());
        float v = (float) value;
        for (long i = 0; i < c.length(); i++) if (c.getDouble(i) != 0) add.putScalar(i, v);
        return x.add(x.getSameDiff().constant(add));
    }

    /** {@code torch.tril(torch.ones(n, n))}: 1 on and below the diagonal, 0 above, as a plain array (a buffer, not a parameter). */
    public static INDArray tril(int n) {
        INDArray t = Nd4j.zeros(DataType.FLOAT, n, n);
        for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) t.putScalar(i, j, 1f);
        return t;
    }

    /** {@code torch.arange(n)} as a constant of the graph {@code like} belongs to (e.g. positions {@code 0..T-1}). */
    public static SDVariable arange(SDVariable like, int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return like.getSameDiff().constant(Nd4j.createFromArray(r)); // (n)
    }
}
