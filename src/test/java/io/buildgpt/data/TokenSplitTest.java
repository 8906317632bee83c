package io.buildgpt.data;

import io.buildgpt.TestTexts;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import tech.tablesaw.api.Table;

import static org.junit.jupiter.api.Assertions.*;

class TokenSplitTest {
    private final CharTokenizer tok = CharTokenizer.fromText(TestTexts.SMALL);
    private final int[] ids = tok.encode(TestTexts.SMALL);

    @Test
    void tensorIsInt64OfShapeN() {
        INDArray t = TokenSplit.tensor(ids);
        assertEquals(DataType.INT64, t.dataType());
        assertArrayEquals(new long[]{ids.length}, t.shape());
        assertEquals(ids[7], t.getLong(7));
    }

    @Test
    void splitsNinetyTen() {
        TokenSplit split = TokenSplit.of(ids, 0.9, 8);
        int n = (int) (0.9 * ids.length);
        assertEquals(n, split.size(Split.TRAIN));
        assertEquals(ids.length - n, split.size(Split.VAL));
        assertEquals(ids[n], split.val().getLong(0));
        assertEquals(ids[n - 1], split.train().getLong(n - 1));
    }

    @Test
    void blockSizeLongerThanAPartIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenSplit.of(ids, 0.9, 500));
        assertTrue(e.getMessage().contains("val split has"), e.getMessage());
        assertTrue(e.getMessage().contains("blockSize = 500"), e.getMessage());
    }

    @Test
    void badFractionIsAClearError() {
        for (double f : new double[]{0, 1, -0.5, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenSplit.of(ids, f, 8));
            assertTrue(e.getMessage().startsWith("trainFraction = "), e.getMessage());
        }
    }

    @Test
    void firstBlockHasBlockSizePairs() {
        Table t = ContextTargets.firstBlock(ids, 8, tok);
        assertEquals(8, t.rowCount());
        for (int i = 0; i < 8; i++) {
            assertEquals(ids[i + 1], t.intColumn("target").getInt(i));    // target = y[t] = data[t+1]
            assertEquals(tok.decode(java.util.Arrays.copyOf(ids, i + 1)).replace("\n", "\\n"),
                    t.stringColumn("context text").get(i));               // context = x[:t+1]
        }
    }
}
