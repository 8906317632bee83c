package io.buildgpt.tensor;

import io.buildgpt.nd4j.Nd4jLoader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Copies between tensors and ND4J arrays, for the notebooks that show or exchange {@code INDArray}s. */
final class Nd4jTensors {
    private Nd4jTensors() {}

    static Tensor from(INDArray a) {
        Nd4jLoader.ensureLoaded();
        long[] ls = a.shape();
        int[] shape = new int[ls.length];
        for (int i = 0; i < ls.length; i++) shape[i] = Math.toIntExact(ls[i]);
        INDArray c = a.dup('c');
        if (a.dataType().isFPType()) return Tensor.of(c.castTo(DataType.FLOAT).data().asFloat(), shape);
        if (a.dataType().isIntType()) return Tensor.ofLongs(c.castTo(DataType.INT64).data().asLong(), shape);
        throw new IllegalArgumentException("cannot convert an INDArray of type " + a.dataType() + ": only floating and integer types");
    }

    static INDArray to(Tensor t) {
        Nd4jLoader.ensureLoaded();
        long[] shape = new long[t.dim()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.shape[i];
        if (t.dtype == DType.INT64) return Nd4j.createFromArray(t.toLongArray()).reshape('c', shape);
        return Nd4j.createFromArray(t.toFloatArray()).reshape('c', shape);
    }
}
