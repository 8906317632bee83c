package io.buildgpt.cells;

import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.engine.LanguageModel;
import io.buildgpt.engine.Parameter;
import io.buildgpt.train.AdamW;
import io.buildgpt.train.TrainConfig;
import io.buildgpt.train.TrainResult;
import io.buildgpt.train.Trainer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Notebook 07's runs, one per stage of the lecture's model: each trained for the same number of steps
 * with the same batches (a sampler seeded alike), recorded in one growing table beside the PyTorch
 * reference ({@code src/bench/stages.py}, its printed numbers committed as the resource
 * {@code stages-pytorch.csv}) and the validation loss the lecture states.
 */
public final class StageRuns {
    /** The validation losses the lecture states for each stage (its small settings, 5,000 steps); NaN where it states none. */
    private static final Map<String, Double> LECTURE = Map.of("one head", 2.4, "multi-head", 2.28, "feed-forward", 2.24,
            "residual", 2.08, "layernorm", 2.06);

    private final TokenSplit split;
    private final int batchSize, blockSize;
    private final TrainConfig config;
    private final long seed;
    private final List<Reference> reference = readReference();
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final Map<String, TrainResult> results = new LinkedHashMap<>();

    /** Runs of {@code config.maxIters()} steps on {@code (B, T)} batches of {@code split}, batches and weights from {@code seed}. */
    public StageRuns(TokenSplit split, int batchSize, int blockSize, TrainConfig config, long seed) {
        this.split = split;
        this.batchSize = batchSize;
        this.blockSize = blockSize;
        this.config = config;
        this.seed = seed;
    }

    /**
     * Trains {@code model} with AdamW (PyTorch's defaults, the configured learning rate), printing each
     * evaluation, and adds (or, when the stage is run again, replaces) its row of the table.
     */
    public TrainResult train(String stageName, LanguageModel model) {
        Trainer trainer = new Trainer(model, new BatchSampler(split, batchSize, blockSize, seed), new AdamW(model.parameters(), config.learningRate()));
        TrainResult r = trainer.train(config, (step, estimate, history) -> System.out.printf("step %4d: %s%n", step, estimate));
        results.put(stageName, r);
        rows.put(stageName, new Row(stageName, model.parameterCount(), r.stepMillis(), r.last().train(), r.last().val(),
                referenceVal(stageName, config.maxIters(), config.evalInterval(), config.evalIters()), referenceVal(stageName, 5000, 500, 200), LECTURE.getOrDefault(stageName, Double.NaN)));
        return r;
    }

    private record Row(String stage, long params, double msPerStep, double train, double val, double torchVal, double torchVal5000,
                       double lecture) {
    }

    /** The table so far: one row per stage, the last evaluation's losses, the reference's and the lecture's. */
    public Table table() {
        StringColumn stage = StringColumn.create("stage");
        IntColumn params = IntColumn.create("parameters");
        DoubleColumn ms = DoubleColumn.create("ms/step"), train = DoubleColumn.create("train"), val = DoubleColumn.create("val");
        DoubleColumn torch = DoubleColumn.create("PyTorch val"), torch5000 = DoubleColumn.create("PyTorch val, 5000 steps");
        DoubleColumn lecture = DoubleColumn.create("lecture val, 5000 steps");
        for (Row r : rows.values()) {
            stage.append(r.stage);
            params.append((int) r.params);
            ms.append(r.msPerStep);
            train.append(r.train);
            val.append(r.val);
            torch.append(r.torchVal);
            torch5000.append(r.torchVal5000);
            lecture.append(r.lecture);
        }
        for (DoubleColumn c : List.of(train, val, torch, torch5000, lecture)) c.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(3));
        ms.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(1));
        return Table.create("validation loss after " + config.maxIters() + " steps, stage by stage", stage, params, ms, train, val,
                torch, torch5000, lecture);
    }

    /** Each stage's training run, by stage name. */
    public Map<String, TrainResult> results() {
        return results;
    }

    /** One bar chart of the validation loss per stage: this notebook's runs, PyTorch's of the same length, and the lecture's figures. */
    public BufferedImage chart() {
        CategoryChart chart = new CategoryChartBuilder().width(960).height(460).title("validation loss, stage by stage")
                .xAxisTitle("stage").yAxisTitle("val loss").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setYAxisMin(Math.max(0, Math.floor(min() * 10 - 2) / 10));
        Table t = table();
        List<String> names = t.stringColumn("stage").asList();
        chart.addSeries("Java, " + config.maxIters() + " steps", names, zeroForMissing(t.doubleColumn("val")));
        DoubleColumn torch = t.doubleColumn("PyTorch val");
        if (torch.countMissing() < torch.size()) chart.addSeries("PyTorch, " + config.maxIters() + " steps", names, zeroForMissing(torch));
        chart.addSeries("PyTorch, 5000 steps", names, zeroForMissing(t.doubleColumn("PyTorch val, 5000 steps")));
        chart.addSeries("lecture, 5000 steps", names, zeroForMissing(t.doubleColumn("lecture val, 5000 steps")));
        return BitmapEncoder.getBufferedImage(chart);
    }

    private double min() {
        double m = Double.POSITIVE_INFINITY;
        for (Row r : rows.values()) {
            for (double v : new double[]{r.val, r.torchVal, r.torchVal5000, r.lecture}) if (!Double.isNaN(v)) m = Math.min(m, v);
        }
        return Double.isInfinite(m) ? 0 : m;
    }

    private static List<Double> zeroForMissing(DoubleColumn c) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) out.add(c.isMissing(i) ? 0.0 : c.get(i));
        return out;
    }

    /**
     * The PyTorch reference's last val loss for a stage run of {@code steps} steps evaluated every
     * {@code evalInterval} steps over {@code evalIters} batches, or NaN when it has no such run.
     */
    public double referenceVal(String stageName, int steps, int evalInterval, int evalIters) {
        for (Reference r : reference) {
            if (r.stage.equals(stageName) && r.steps == steps && r.evalInterval == evalInterval && r.evalIters == evalIters) return r.val;
        }
        return Double.NaN;
    }

    /** The reference's val loss after the lecture's run: 5,000 steps, evaluated every 500 over 200 batches. */
    public double lectureLengthVal(String stageName) {
        return referenceVal(stageName, 5000, 500, 200);
    }

    /**
     * The Euclidean norm of the gradient of every weight whose name starts with {@code prefix}, after
     * one forward and backward pass on {@code (x, y)}: e.g. {@code "blocks.0."} for the bottom block.
     */
    public static double gradientNorm(LanguageModel model, String prefix, int[] x, int[] y, int batchSize) {
        model.lossAndGradients(x, y, batchSize, x.length / batchSize);
        double sum = 0;
        int found = 0;
        for (Parameter p : model.parameters()) {
            if (!p.name().startsWith(prefix)) continue;
            found++;
            for (float g : p.grad()) sum += (double) g * g;
        }
        if (found == 0) throw new IllegalArgumentException("no weight's name starts with " + prefix);
        return Math.sqrt(sum);
    }

    /**
     * Statistics of activations {@code (..., C)}, e.g. {@code (B, T, C)}: the mean over all tokens of each
     * token's mean and of each token's standard deviation across its C features, as "mean m, std s".
     */
    public static String featureStats(org.nd4j.linalg.api.ndarray.INDArray activations) {
        long c = activations.size(activations.rank() - 1);
        var a = activations.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).reshape(-1, c); // (N, C)
        double mean = a.mean(1).meanNumber().doubleValue();
        double std = a.std(false, 1).meanNumber().doubleValue();
        return String.format("mean %+.3f, std %.3f", mean, std);
    }

    private record Reference(String stage, int steps, int evalInterval, int evalIters, double val) {
    }

    private static List<Reference> readReference() {
        List<Reference> rows = new ArrayList<>();
        try (InputStream in = StageRuns.class.getResourceAsStream("stages-pytorch.csv")) {
            if (in == null) return rows;
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String header = r.readLine();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split(",");
                rows.add(new Reference(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]), Double.parseDouble(f[6])));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
