package io.buildgpt.cells;

import io.buildgpt.engine.Parameter;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * One trainable tensor of a cell model, like {@code nn.Parameter}. It is created with its initial
 * values (drawn by the caller, e.g. with PyTorch's initialisation rules); its name, the PyTorch
 * {@code state_dict} key, is given when the model first walks its fields ({@link Module#namedParameters}).
 * After that the values live in a {@link Parameter} that the optimiser updates.
 */
public final class Param {
    private final long[] shape;
    private final float[] initial;
    private Parameter parameter;

    /** A parameter holding a copy of {@code values}, with their shape. */
    public Param(INDArray values) {
        this(values.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat(), values.shape());
    }

    /** A parameter holding a copy of {@code values} (row-major), shaped {@code shape}. */
    public Param(float[] values, long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 1) throw new IllegalArgumentException("every dimension must be at least 1, got " + Arrays.toString(shape));
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fill the shape " + Arrays.toString(shape) + " (" + n + " values)");
        }
        this.shape = shape.clone();
        this.initial = values.clone();
    }

    /** Gives this parameter its name; the first name wins (a tensor shared by two layers keeps one). */
    void bind(String name) {
        if (parameter != null) return;
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = Math.toIntExact(shape[i]);
        parameter = new Parameter(name, s);
        System.arraycopy(initial, 0, parameter.data(), 0, initial.length);
    }

    boolean isBound() {
        return parameter != null;
    }

    /** The values and gradient the optimiser works on. */
    public Parameter parameter() {
        if (parameter == null) {
            throw new IllegalStateException("this parameter has no name yet: it is named when its model first lists its parameters;"
                    + " declare the layer that holds it as a field of a CellModel (or of a Module inside one)");
        }
        return parameter;
    }

    public String name() {
        return parameter().name();
    }

    public long[] shape() {
        return shape.clone();
    }

    /** The current values as an ND4J array (a copy). */
    public INDArray value() {
        float[] data = parameter == null ? initial : parameter.data();
        return Nd4j.create(data.clone(), shape, 'c');
    }

    /** This parameter as a variable of the graph that {@code x} belongs to (created there on first use). */
    public SDVariable in(SDVariable x) {
        return in(x.getSameDiff());
    }

    /** This parameter as a variable of {@code sd} (created there on first use, with the current values). */
    public SDVariable in(SameDiff sd) {
        String name = name();
        return sd.hasVariable(name) ? sd.getVariable(name) : sd.var(name, value());
    }

    @Override
    public String toString() {
        return (parameter == null ? "(unnamed)" : parameter.name()) + " " + Arrays.toString(shape);
    }
}
