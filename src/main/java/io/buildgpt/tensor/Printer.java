package io.buildgpt.tensor;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * {@code str(tensor)} as PyTorch prints it with its default options (precision 4, line width 80, more than
 * 1000 elements summarised with 3 edge items): one width for all elements, integer-valued floats as
 * {@code 1.}, scientific notation when the magnitudes span more than 1000 or a value is below 1e-4,
 * rows wrapped at 80 columns, and {@code grad_fn=<...>} or {@code requires_grad=True} after the values.
 */
final class Printer {
    private static final int LINE_WIDTH = 80, THRESHOLD = 1000, EDGE = 3;

    private Printer() {}

    static String print(Tensor t) {
        String prefix = "tensor(";
        int indent = prefix.length();
        Tensor c = t.isContiguous() ? t.detach() : Views.copy(t);     // a copy outside the graph
        boolean summarize = c.numel() > THRESHOLD;
        String body;
        if (c.numel() == 0 && c.dim() == 1) body = "[]";
        else body = new Fmt(c, summarize).body(c, indent, summarize);
        StringBuilder s = new StringBuilder(prefix).append(body);
        java.util.List<String> suffixes = new java.util.ArrayList<>();
        if (t.numel() == 0 && t.dim() != 1) suffixes.add("size=(" + String.join(", ", java.util.Arrays.stream(t.shape).mapToObj(Integer::toString).toArray(String[]::new)) + ")");
        if (t.gradFn != null) suffixes.add("grad_fn=<" + t.gradFn.name() + ">");
        else if (t.requiresGrad) suffixes.add("requires_grad=True");
        int lastLine = body.length() - body.lastIndexOf('\n') + 1;    // PyTorch's count (one more than the line when wrapped)
        if (body.indexOf('\n') < 0) lastLine = prefix.length() + body.length() + 2;
        for (String suffix : suffixes) {
            if (lastLine + suffix.length() + 2 > LINE_WIDTH) {
                s.append(",\n").append(" ".repeat(indent)).append(suffix);
                lastLine = indent + suffix.length();
            } else {
                s.append(", ").append(suffix);
                lastLine += suffix.length() + 2;
            }
        }
        return s.append(')').toString();
    }

    /** One formatter for the whole tensor, as PyTorch's {@code _Formatter}. */
    private static final class Fmt {
        final boolean floating;
        boolean intMode = true, sciMode;
        int width = 1;

        Fmt(Tensor t, boolean summarize) {
            floating = t.dtype == DType.FLOAT32;
            double[] v = values(t, summarize);
            if (!floating) {
                for (double x : v) width = Math.max(width, Long.toString((long) x).length());
                return;
            }
            double min = Double.POSITIVE_INFINITY, max = 0;
            int count = 0;
            for (double x : v) {
                if (!Double.isFinite(x) || x == 0) continue;
                count++;
                min = Math.min(min, Math.abs(x));
                max = Math.max(max, Math.abs(x));
                if (x != Math.ceil(x)) intMode = false;
            }
            if (count == 0) return;
            sciMode = max / min > 1000.0 || max > 1.0e8 || (!intMode && min < 1.0e-4);
            for (double x : v) {
                if (!Double.isFinite(x) || x == 0) continue;
                int len = sciMode ? sci(x).length() : intMode ? fixed(x, 0).length() + 1 : fixed(x, 4).length();
                width = Math.max(width, len);
            }
        }

        String format(double x) {
            String s;
            if (!floating) s = Long.toString((long) x);
            else if (Double.isNaN(x)) s = "nan";
            else if (Double.isInfinite(x)) s = x > 0 ? "inf" : "-inf";
            else if (sciMode) s = sci(x);
            else if (intMode) s = fixed(x, 0) + ".";
            else s = fixed(x, 4);
            return " ".repeat(Math.max(0, width - s.length())) + s;
        }

        String body(Tensor t, int indent, boolean summarize) {
            if (t.dim() == 0) return format(value(t));
            if (t.dim() == 1) {
                int perLine = Math.max(1, (LINE_WIDTH - indent) / (width + 2));
                java.util.List<String> items = new java.util.ArrayList<>();
                int n = t.shape[0];
                for (int i = 0; i < n; i++) {
                    if (summarize && n > 2 * EDGE && i == EDGE) {
                        items.add(" ...");
                        i = n - EDGE - 1;
                        continue;
                    }
                    items.add(format(value(t.select(0, i))));
                }
                StringBuilder s = new StringBuilder("[");
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) s.append(i % perLine == 0 ? ",\n" + " ".repeat(indent + 1) : ", ");
                    s.append(items.get(i));
                }
                return s.append(']').toString();
            }
            String sep = "," + "\n".repeat(t.dim() - 1) + " ".repeat(indent + 1);
            StringBuilder s = new StringBuilder("[");
            int n = t.shape[0];
            for (int i = 0; i < n; i++) {
                if (i > 0) s.append(sep);
                if (summarize && n > 2 * EDGE && i == EDGE) {
                    s.append("...").append(sep);
                    i = n - EDGE;
                }
                s.append(body(t.select(0, i), indent + 1, summarize));
            }
            return s.append(']').toString();
        }
    }

    private static double value(Tensor t) {
        return t.dtype == DType.FLOAT32 ? t.f[t.offset] : t.l[t.offset];
    }

    /** The values the formatter measures: all of them, or only the edges that a summarised print shows. */
    private static double[] values(Tensor t, boolean summarize) {
        if (t.dim() == 0) return new double[]{value(t)};
        java.util.List<Double> out = new java.util.ArrayList<>();
        collect(t, summarize, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void collect(Tensor t, boolean summarize, java.util.List<Double> out) {
        int n = t.shape[0];
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) i = n - EDGE;
            Tensor row = t.select(0, i);
            if (row.dim() == 0) out.add(value(row));
            else collect(row, summarize, out);
        }
    }

    /** Python's {@code f"{x:.{digits}f}"}: the exact binary value rounded half-even. */
    private static String fixed(double x, int digits) {
        String s = new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        if ((x < 0 || (x == 0 && 1 / x < 0)) && !s.startsWith("-")) s = "-" + s;   // -0.0000, as Python
        return s;
    }

    /** Python's {@code f"{x:.4e}"}: five significant digits and a two-digit exponent, {@code 1.2346e-05}. */
    private static String sci(double x) {
        BigDecimal d = new BigDecimal(x).round(new MathContext(5, RoundingMode.HALF_EVEN));
        int exp = d.precision() - d.scale() - 1;
        BigDecimal mant = d.movePointLeft(exp).setScale(4, RoundingMode.HALF_EVEN);
        String e = Math.abs(exp) < 10 ? "0" + Math.abs(exp) : Integer.toString(Math.abs(exp));
        return mant.toPlainString() + "e" + (exp < 0 ? "-" : "+") + e;
    }
}
