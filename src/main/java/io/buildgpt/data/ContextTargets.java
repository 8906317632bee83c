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
        IntColumn t = IntColumn.create("t");
        StringColumn context = StringColumn.create("context");
        StringColumn contextText = StringColumn.create("context text");
        IntColumn target = IntColumn.create("target");
        StringColumn targetText = StringColumn.create("target char");
        for (int i = 0; i < blockSize; i++) {
            int[] ctx = java.util.Arrays.copyOfRange(ids, 0, i + 1); // x[:t+1]
            t.append(i);
            context.append(java.util.Arrays.toString(ctx));
            contextText.append(visible(tokenizer.decode(ctx)));
            target.append(ids[i + 1]);                                // y[t]
            targetText.append(visibleChar(tokenizer.decode(ids[i + 1])));
        }
        return Table.create("block_size=" + blockSize + ": context -> target", t, context, contextText, target, targetText);
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
