package io.buildgpt.data;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/**
 * GPT-2's byte-pair encoding (the {@code r50k_base} vocabulary that tiktoken calls "gpt2"), through
 * jtokkit. The vocabulary ships inside the jtokkit jar, so this works offline.
 */
public final class Gpt2Tokenizer {
    /** GPT-2's vocabulary size: 50,000 merges + 256 byte tokens + {@code <|endoftext|>}. */
    public static final int N_VOCAB = 50_257;

    private final Encoding encoding =
            Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

    public int vocabSize() {
        return N_VOCAB;
    }

    /** Text to GPT-2 token ids. Special tokens in the text are treated as ordinary text. */
    public int[] encode(String text) {
        return encoding.encodeOrdinary(text).toArray();
    }

    public String decode(int... ids) {
        IntArrayList list = new IntArrayList(ids.length);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= N_VOCAB) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i
                        + " is outside GPT-2's vocabulary 0.." + (N_VOCAB - 1));
            }
            list.add(ids[i]);
        }
        return encoding.decode(list);
    }

    @Override
    public String toString() {
        return "Gpt2Tokenizer(r50k_base, n_vocab=" + N_VOCAB + ")";
    }
}
