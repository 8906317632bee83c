package io.buildgpt.train;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/** The evaluations of one training run: step, train loss and val loss, as a Tablesaw table. */
public final class LossHistory {
    private final IntColumn step = IntColumn.create("step");
    private final DoubleColumn train = DoubleColumn.create("train loss");
    private final DoubleColumn val = DoubleColumn.create("val loss");
    private final Table table;

    public LossHistory(String name) {
        checkedName(name);
        // four decimals are what the loss means at this scale; the column keeps full precision
        train.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(4));
        val.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(4));
        this.table = Table.create(name, step, train, val);
    }

    static String checkedName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a run needs a name for the chart's legend, e.g. \"bigram\"; got "
                    + (name == null ? "null" : "\"" + name + "\""));
        }
        return name;
    }

    /** Records one evaluation: the losses measured before step {@code atStep} (a loop written in a cell calls it). */
    public void add(int atStep, LossEstimate estimate) {
        step.append(atStep);
        train.append(estimate.train());
        val.append(estimate.val());
    }

    /** The table itself (a notebook renders it as text). */
    public Table table() {
        return table;
    }

    public int size() {
        return table.rowCount();
    }

    public int[] steps() {
        return step.asIntArray();
    }

    public double[] trainLosses() {
        return train.asDoubleArray();
    }

    public double[] valLosses() {
        return val.asDoubleArray();
    }

    /** The last evaluation. */
    public LossEstimate last() {
        if (size() == 0) throw new IllegalStateException("no evaluation has been recorded yet");
        return new LossEstimate(train.getDouble(size() - 1), val.getDouble(size() - 1));
    }

    public String name() {
        return table.name();
    }

    /** A copy under another name, e.g. to tell runs apart in one {@code LossChart}. */
    public LossHistory named(String name) {
        LossHistory copy = new LossHistory(name);
        for (int i = 0; i < size(); i++) copy.add(step.getInt(i), new LossEstimate(train.getDouble(i), val.getDouble(i)));
        return copy;
    }

    @Override
    public String toString() {
        return table.print();
    }
}
