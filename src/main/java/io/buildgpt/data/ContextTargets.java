package io.buildgpt.data;

import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The lecture's block view: for {@code x = data[0:blockSize]} and {@code y = data[1:blockSize+1]},
 * a block of {@code blockSize} tokens holds {@code blockSize} training examples at once: context
 * {@code x[0..t]} should predict target {@code y[t]}.
 */
public final class ContextTargets {
    private ContextTargets() {}

    /** The {@code blockSize} (context -> target) pairs of the first block of {@code ids}, ids beside decoded characters. */
    public static Table firstBlock(int[] ids, int blockSize, CharTokenizer tokenizer) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize = " + blockSize + " is out of range: it must be at least 1");
        }
        if (ids.length < blockSize + 1) {
            throw new IllegalArgumentException("the text has " + ids.length + " tokens but blockSize = " + blockSize
                    + " needs at least " + (blockSize + 1) + ": use a longer text or a smaller blockSize");
        }
        long[] x = new long[blockSize], y = new long[blockSize];
        for (int i = 0; i < blockSize; i++) {
            x[i] = ids[i];       // x = data[0 : block_size]
            y[i] = ids[i + 1];   // y = data[1 : block_size + 1]
        }
        Pairs pairs = new Pairs();
        pairs.addRow(x, y, tokenizer);
        return pairs.table("block_size=" + blockSize + ": context -> target");
    }

    /** The columns of a (context -> target) table; {@link Batch#pairs} fills them row by row too. */
    static final class Pairs {
        private final IntColumn t = IntColumn.create("t");
        private final StringColumn context = StringColumn.create("context");
        private final StringColumn contextText = StringColumn.create("context text");
        private final IntColumn target = IntColumn.create("target");
        private final StringColumn targetText = StringColumn.create("target char");

        /** The T pairs of one row: context {@code x[0..t]} (ids and text) predicts {@code y[t]}. */
        void addRow(long[] x, long[] y, CharTokenizer tokenizer) {
            for (int i = 0; i < x.length; i++) {
                long[] ctx = java.util.Arrays.copyOf(x, i + 1); // x[:t+1]
                t.append(i);
                context.append(java.util.Arrays.toString(ctx));
                contextText.append(visible(tokenizer.decode(ctx)));
                target.append((int) y[i]);                        // y[t]
                targetText.append(visibleChar(tokenizer.decode(y[i])));
            }
        }

        /** The table, with {@code leading} columns (e.g. the batch row) before the pair columns. */
        Table table(String name, tech.tablesaw.columns.Column<?>... leading) {
            Table table = Table.create(name, leading);
            return table.addColumns(t, context, contextText, target, targetText);
        }
    }

    /** One character on its own: a space is shown by name, since a blank cell reads as "nothing". */
    static String visibleChar(String c) {
        return c.equals(" ") ? "(space)" : visible(c);
    }

    /** Newlines shown as \n so that a table row stays one row. */
    static String visible(String s) {
        return s.replace("\n", "\\n").replace("\t", "\\t");
    }
}
