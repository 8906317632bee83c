package io.buildgpt.data;

import io.buildgpt.TestTexts;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.*;

class BatchSamplerTest {
    private final CharTokenizer tok = CharTokenizer.fromText(TestTexts.SMALL);
    private final int[] ids = tok.encode(TestTexts.SMALL);
    private final TokenSplit split = TokenSplit.of(ids, 0.9, 8);

    @Test
    void batchIsBTInt64AndTargetsAreInputsShiftedByOne() {
        Batch b = new BatchSampler(split, 4, 8, 1337).getBatch(Split.TRAIN);
        assertArrayEquals(new long[]{4, 8}, b.x().shape());
        assertArrayEquals(new long[]{4, 8}, b.y().shape());
        assertEquals(DataType.INT64, b.x().dataType());
        long[][] x = b.x().toLongMatrix(), y = b.y().toLongMatrix();
        String train = tok.decode(split.head(Split.TRAIN, split.size(Split.TRAIN)));
        for (int r = 0; r < 4; r++) {
            for (int t = 0; t < 7; t++) assertEquals(x[r][t + 1], y[r][t]);
            // each row is a real window of the train text: x then its last target
            String window = tok.decode(x[r]) + tok.decode(y[r][7]);
            assertTrue(train.contains(window), "window not found in the train text: " + window);
        }
    }

    @Test
    void sameSeedSameBatchesOtherSeedOtherBatches() {
        BatchSampler a = new BatchSampler(split, 4, 8, 1337), b = new BatchSampler(split, 4, 8, 1337), c = new BatchSampler(split, 4, 8, 42);
        for (int i = 0; i < 5; i++) {
            Batch ba = a.getBatch(Split.TRAIN), bb = b.getBatch(Split.TRAIN), bc = c.getBatch(Split.TRAIN);
            assertEquals(ba.x(), bb.x());
            assertEquals(ba.y(), bb.y());
            assertNotEquals(ba.x(), bc.x());
        }
    }

    @Test
    void offsetsAreTorchRandintAfterManualSeed() {
        // a train part as long as tiny Shakespeare's (1,003,854 ids, each id its own position), so that
        // the first ids of the rows are the offsets PyTorch draws: torch.randint(1003846, (4,)) after
        // torch.manual_seed(1337) gives 76049, 234249, 934904, 560986 (src/bench/torch_random.py)
        int[] train = new int[1_003_854];
        for (int i = 0; i < train.length; i++) train[i] = i;
        TokenSplit positions = TokenSplit.of(train, new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8}, 8);
        int[] x = new int[32], y = new int[32];
        new BatchSampler(positions, 4, 8, 1337).fill(Split.TRAIN, x, y);
        assertArrayEquals(new int[]{76049, 234249, 934904, 560986}, new int[]{x[0], x[8], x[16], x[24]});
        assertEquals(76049 + 8, y[7]);
    }

    @Test
    void valBatchesComeFromTheValPart() {
        Batch b = new BatchSampler(split, 8, 8, 7).getBatch(Split.VAL);
        String val = tok.decode(split.head(Split.VAL, split.size(Split.VAL)));
        for (long[] row : b.x().toLongMatrix()) assertTrue(val.contains(tok.decode(row)));
    }

    @Test
    void pairsTableHasBTimesTRows() {
        Batch b = new BatchSampler(split, 4, 8, 1337).getBatch(Split.TRAIN);
        assertEquals(32, b.pairs(tok).rowCount());
        assertEquals(b.y().getLong(3, 5), b.pairs(tok).intColumn("target").getInt(3 * 8 + 5));
    }

    @Test
    void badHyperparametersAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchSampler(split, 0, 8, 1));
        assertTrue(e.getMessage().startsWith("batchSize = 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchSampler(split, 4, 9, 1));
        assertTrue(e.getMessage().startsWith("blockSize = 9"), e.getMessage());
    }
}
