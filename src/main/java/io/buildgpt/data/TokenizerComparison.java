package io.buildgpt.data;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The trade-off between vocabulary size and sequence length, measured on a text: a character
 * tokenizer has a tiny vocabulary and long sequences, GPT-2's BPE a 50,257-token vocabulary and
 * sequences about a quarter as long.
 */
public final class TokenizerComparison {
    private TokenizerComparison() {}

    public static Table of(String text, CharTokenizer chars, Gpt2Tokenizer bpe) {
        int charTokens = chars.encode(text).length;
        int bpeTokens = bpe.encode(text).length;
        return Table.create(String.format(java.util.Locale.ROOT, "the same %,d characters, two tokenizers", text.length()),
                StringColumn.create("tokenizer", "characters", "GPT-2 BPE"),
                IntColumn.create("vocab size", chars.vocabSize(), bpe.vocabSize()),
                IntColumn.create("sequence length", charTokens, bpeTokens),
                DoubleColumn.create("chars per token", round2((double) text.length() / charTokens), round2((double) text.length() / bpeTokens)));
    }

    private static double round2(double x) {
        return Math.round(x * 100) / 100.0;
    }
}
