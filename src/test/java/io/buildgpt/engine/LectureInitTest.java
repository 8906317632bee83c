package io.buildgpt.engine;

import io.buildgpt.random.TorchGenerator;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The engine GPT built with seed 1337 has the initial weights of the lecture's final {@code gpt.py}
 * model built after {@code torch.manual_seed(1337)} (vocab 65, block 32, 64/4/4): first and last
 * value of every state_dict tensor exactly, its sum to summation order. Printed by
 * {@code python3 src/bench/torch_random.py} (PyTorch 2.13, CPU).
 */
class LectureInitTest {
    private static final String PYTORCH = """
            gpt token_embedding_table.weight [65, 64] first -0.0077479789f last 0.0351531245f sum 0.796514796
            gpt position_embedding_table.weight [32, 64] first 0.00490988605f last -0.0132356631f sum 0.259547029
            gpt blocks.0.sa.heads.0.key.weight [16, 64] first 0.0180502627f last -0.0010816924f sum -0.193569677
            gpt blocks.0.sa.heads.0.query.weight [16, 64] first 0.00680385809f last 0.0115644466f sum 0.704905101
            gpt blocks.0.sa.heads.0.value.weight [16, 64] first -0.0131369047f last 0.0210764166f sum -0.575944919
            gpt blocks.0.sa.heads.1.key.weight [16, 64] first -0.0350609086f last 0.0133437905f sum -0.688316061
            gpt blocks.0.sa.heads.1.query.weight [16, 64] first -0.0102730608f last -0.00444033416f sum -0.748832787
            gpt blocks.0.sa.heads.1.value.weight [16, 64] first -0.00762953609f last -0.0366472751f sum -1.34117437
            gpt blocks.0.sa.heads.2.key.weight [16, 64] first -0.00606266502f last 0.00550629944f sum -0.718962424
            gpt blocks.0.sa.heads.2.query.weight [16, 64] first 0.0192112662f last -0.0210313667f sum -0.775902975
            gpt blocks.0.sa.heads.2.value.weight [16, 64] first -0.0368889086f last -0.0038553765f sum 0.0120084243
            gpt blocks.0.sa.heads.3.key.weight [16, 64] first 0.00699781626f last -0.00444897963f sum 0.352995236
            gpt blocks.0.sa.heads.3.query.weight [16, 64] first -0.00276912167f last -0.025042763f sum -0.118535965
            gpt blocks.0.sa.heads.3.value.weight [16, 64] first -0.00784781948f last 0.0123619754f sum -0.334887697
            gpt blocks.0.sa.proj.weight [64, 64] first 0.00744200218f last 0.0222376697f sum 0.135543441
            gpt blocks.0.sa.proj.bias [64] first 0f last 0f sum 0
            gpt blocks.0.ffwd.net.0.weight [256, 64] first 0.00177946372f last 0.0296344161f sum 1.55480952
            gpt blocks.0.ffwd.net.0.bias [256] first 0f last 0f sum 0
            gpt blocks.0.ffwd.net.2.weight [64, 256] first 0.0223606471f last -0.0180566851f sum -0.600019535
            gpt blocks.0.ffwd.net.2.bias [64] first 0f last 0f sum 0
            gpt blocks.0.ln1.weight [64] first 1f last 1f sum 64
            gpt blocks.0.ln1.bias [64] first 0f last 0f sum 0
            gpt blocks.0.ln2.weight [64] first 1f last 1f sum 64
            gpt blocks.0.ln2.bias [64] first 0f last 0f sum 0
            gpt blocks.1.sa.heads.0.key.weight [16, 64] first 0.0229515377f last -0.0110662589f sum 0.0565990602
            gpt blocks.1.sa.heads.0.query.weight [16, 64] first -0.0192448143f last 0.0210785735f sum -0.220419316
            gpt blocks.1.sa.heads.0.value.weight [16, 64] first 0.0195819233f last 0.0276475549f sum -0.61281319
            gpt blocks.1.sa.heads.1.key.weight [16, 64] first -0.0129377265f last 0.0143946884f sum -0.490838592
            gpt blocks.1.sa.heads.1.query.weight [16, 64] first -0.0311847236f last 0.0121564921f sum 0.70740793
            gpt blocks.1.sa.heads.1.value.weight [16, 64] first 0.00709029194f last 0.0327985138f sum -0.292715474
            gpt blocks.1.sa.heads.2.key.weight [16, 64] first 0.016025871f last 0.0399935953f sum -0.760590359
            gpt blocks.1.sa.heads.2.query.weight [16, 64] first -0.00964068901f last 0.00779232476f sum 0.424872414
            gpt blocks.1.sa.heads.2.value.weight [16, 64] first -0.008602052f last -0.0272760894f sum -0.876889599
            gpt blocks.1.sa.heads.3.key.weight [16, 64] first 0.0460648946f last 0.00874488149f sum -0.254165231
            gpt blocks.1.sa.heads.3.query.weight [16, 64] first -0.0155656347f last 0.00943953265f sum -0.221555825
            gpt blocks.1.sa.heads.3.value.weight [16, 64] first 5.70431293e-05f last 0.00159835583f sum 0.0430146264
            gpt blocks.1.sa.proj.weight [64, 64] first 0.0203425251f last -0.00333032059f sum -0.0638748665
            gpt blocks.1.sa.proj.bias [64] first 0f last 0f sum 0
            gpt blocks.1.ffwd.net.0.weight [256, 64] first -0.0113690346f last -0.000820250192f sum 0.426109797
            gpt blocks.1.ffwd.net.0.bias [256] first 0f last 0f sum 0
            gpt blocks.1.ffwd.net.2.weight [64, 256] first -0.0129029304f last -0.00730581162f sum 1.25222307
            gpt blocks.1.ffwd.net.2.bias [64] first 0f last 0f sum 0
            gpt blocks.1.ln1.weight [64] first 1f last 1f sum 64
            gpt blocks.1.ln1.bias [64] first 0f last 0f sum 0
            gpt blocks.1.ln2.weight [64] first 1f last 1f sum 64
            gpt blocks.1.ln2.bias [64] first 0f last 0f sum 0
            gpt blocks.2.sa.heads.0.key.weight [16, 64] first -0.0282200668f last 0.000832925318f sum 0.0128459074
            gpt blocks.2.sa.heads.0.query.weight [16, 64] first 0.00149952096f last -0.00439250888f sum 0.10042451
            gpt blocks.2.sa.heads.0.value.weight [16, 64] first -0.0234871339f last 0.0227016471f sum -0.66441118
            gpt blocks.2.sa.heads.1.key.weight [16, 64] first -0.0295322835f last -0.0201037228f sum 0.303232508
            gpt blocks.2.sa.heads.1.query.weight [16, 64] first -0.0194688085f last 0.012996804f sum -1.51025003
            gpt blocks.2.sa.heads.1.value.weight [16, 64] first 0.0331491083f last 0.00462396303f sum -0.320555147
            gpt blocks.2.sa.heads.2.key.weight [16, 64] first 0.00199770648f last 0.0263766982f sum -0.357840117
            gpt blocks.2.sa.heads.2.query.weight [16, 64] first 0.0109085487f last 0.00772190001f sum 0.206203034
            gpt blocks.2.sa.heads.2.value.weight [16, 64] first -0.0310946871f last 0.0293781776f sum -1.43034073
            gpt blocks.2.sa.heads.3.key.weight [16, 64] first 0.0163599346f last 0.00175050669f sum 0.0259664373
            gpt blocks.2.sa.heads.3.query.weight [16, 64] first -0.0142026087f last 0.03400179f sum 0.621938686
            gpt blocks.2.sa.heads.3.value.weight [16, 64] first -0.0116657289f last 0.00545414537f sum -0.334780954
            gpt blocks.2.sa.proj.weight [64, 64] first -0.0182394311f last -0.0101566017f sum 1.34780466
            gpt blocks.2.sa.proj.bias [64] first 0f last 0f sum 0
            gpt blocks.2.ffwd.net.0.weight [256, 64] first -0.0305786934f last 0.0101289209f sum 1.09132241
            gpt blocks.2.ffwd.net.0.bias [256] first 0f last 0f sum 0
            gpt blocks.2.ffwd.net.2.weight [64, 256] first -0.00599418255f last 0.0323704891f sum -2.21601103
            gpt blocks.2.ffwd.net.2.bias [64] first 0f last 0f sum 0
            gpt blocks.2.ln1.weight [64] first 1f last 1f sum 64
            gpt blocks.2.ln1.bias [64] first 0f last 0f sum 0
            gpt blocks.2.ln2.weight [64] first 1f last 1f sum 64
            gpt blocks.2.ln2.bias [64] first 0f last 0f sum 0
            gpt blocks.3.sa.heads.0.key.weight [16, 64] first -0.012961627f last 0.00355567457f sum 0.447504619
            gpt blocks.3.sa.heads.0.query.weight [16, 64] first -0.0183875244f last 0.0304341242f sum -0.69566571
            gpt blocks.3.sa.heads.0.value.weight [16, 64] first -0.0258150883f last -0.00393250678f sum -0.163875641
            gpt blocks.3.sa.heads.1.key.weight [16, 64] first 0.040534392f last -0.0163703151f sum -0.0407187684
            gpt blocks.3.sa.heads.1.query.weight [16, 64] first -0.0221007895f last -0.0217370503f sum -0.562343393
            gpt blocks.3.sa.heads.1.value.weight [16, 64] first 0.0132303583f last -0.0217521321f sum 0.193165613
            gpt blocks.3.sa.heads.2.key.weight [16, 64] first -0.00800001621f last 0.0175529197f sum -0.1259345
            gpt blocks.3.sa.heads.2.query.weight [16, 64] first -0.0110737039f last 0.00111945102f sum 0.0445989951
            gpt blocks.3.sa.heads.2.value.weight [16, 64] first 0.00608674577f last -0.00959530473f sum -0.801423774
            gpt blocks.3.sa.heads.3.key.weight [16, 64] first -0.00699796109f last -0.00728890114f sum 0.00617052249
            gpt blocks.3.sa.heads.3.query.weight [16, 64] first -0.0467454903f last -0.00397629803f sum 0.766707226
            gpt blocks.3.sa.heads.3.value.weight [16, 64] first -0.00192302687f last -0.00840443466f sum -0.901918273
            gpt blocks.3.sa.proj.weight [64, 64] first -0.00991464313f last 0.0131372865f sum 1.20363194
            gpt blocks.3.sa.proj.bias [64] first 0f last 0f sum 0
            gpt blocks.3.ffwd.net.0.weight [256, 64] first -0.0125971269f last -0.00805218332f sum -4.04122368
            gpt blocks.3.ffwd.net.0.bias [256] first 0f last 0f sum 0
            gpt blocks.3.ffwd.net.2.weight [64, 256] first -0.0164034534f last 0.0352994278f sum 1.81732669
            gpt blocks.3.ffwd.net.2.bias [64] first 0f last 0f sum 0
            gpt blocks.3.ln1.weight [64] first 1f last 1f sum 64
            gpt blocks.3.ln1.bias [64] first 0f last 0f sum 0
            gpt blocks.3.ln2.weight [64] first 1f last 1f sum 64
            gpt blocks.3.ln2.bias [64] first 0f last 0f sum 0
            gpt ln_f.weight [64] first 1f last 1f sum 64
            gpt ln_f.bias [64] first 0f last 0f sum 0
            gpt lm_head.weight [65, 64] first 0.0292556453f last -0.00208375882f sum -0.889889504
            gpt lm_head.bias [65] first 0f last 0f sum 0
            """;

    @Test
    void engineWeightsEqualTheLecturesPyTorchModel() {
        Map<String, double[]> expected = new HashMap<>(); // name -> first, last, sum
        for (String line : PYTORCH.strip().split("\n")) {
            String[] f = line.strip().split(" ");
            // gpt NAME [shape] first X last Y sum Z  (the shape may contain spaces)
            int first = java.util.Arrays.asList(f).indexOf("first");
            expected.put(f[1], new double[]{Float.parseFloat(f[first + 1]), Float.parseFloat(f[first + 3]), Double.parseDouble(f[first + 5])});
        }
        try (GptLanguageModel model = new GptLanguageModel(new GptConfig(65, 32, 64, 4, 4, 0.0), 1337)) {
            List<Parameter> params = StateDict.copies(model);  // the lecture's names: one tensor per head and role
            assertEquals(expected.size(), params.size());
            for (Parameter p : params) {
                double[] e = expected.get(p.name());
                assertNotNull(e, "PyTorch has no tensor named " + p.name());
                float[] d = p.data();
                assertEquals((float) e[0], d[0], 0f, p.name() + " first");
                assertEquals((float) e[1], d[d.length - 1], 0f, p.name() + " last");
                double sum = 0;
                for (float v : d) sum += v;
                assertEquals(e[2], sum, 1e-5, p.name() + " sum");
            }
            // the generator ends where PyTorch's does: the lecture's first get_batch draws continue from here
            TorchGenerator g = new TorchGenerator(1337);
            LectureInit.fill(params, g, true);
            assertArrayEquals(new long[]{829L, 318L, 69L}, g.randint(1000, 3));
        }
    }

    @Test
    void anUnknownParameterIsRefused() {
        Parameter odd = new Parameter("blocks.0.sa.scale", 3);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LectureInit.fill(List.of(odd), new TorchGenerator(1), true));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("blocks.0.sa.scale"), e.getMessage());
    }
}
