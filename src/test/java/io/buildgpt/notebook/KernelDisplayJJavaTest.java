package io.buildgpt.notebook;

import io.buildgpt.plot.LossChart;
import io.buildgpt.train.LossHistory;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link KernelDisplay} against the real JJava kernel classes (the {@code jjava-jupyter} jar from Maven
 * Central, test scope, the version {@code environment.yml} installs), not the notebook runner's emulation:
 * the live plot must find JJava's display functions and, with a JJava kernel started, reach the kernel's
 * renderer and display stream through them.
 */
class KernelDisplayJJavaTest {
    private RecordingKernel kernel;

    @AfterEach
    void stopKernel() {
        if (kernel != null) kernel.onShutdown(false);
    }

    @Test
    void theJJavaDisplayFunctionsAreFoundInTheRealKernelClasses() {
        KernelDisplay.Kernel jjava = KernelDisplay.KERNELS.get(0);
        assertEquals(org.dflib.jjava.jupyter.kernel.BaseNotebookStatics.class.getName(), jjava.displayClass());
        assertEquals(BaseKernel.class.getName(), jjava.runningClass());
        KernelDisplay display = KernelDisplay.resolve(jjava);
        assertNotNull(display, "display(Object)/updateDisplay(String, Object) not found in " + jjava.displayClass());
        assertTrue(display.available());
    }

    @Test
    void withoutARunningKernelNothingIsShownEvenThoughTheClassesAreThere() {
        KernelDisplay display = KernelDisplay.current();
        assertFalse(display.available(), "JJava's classes alone are no kernel: " + display);
        assertNull(display.show("anything"));
    }

    @Test
    void inAStartedJJavaKernelShowAndUpdateGoThroughTheKernel() {
        kernel = new RecordingKernel();
        kernel.onStartup(); // what JJava does when it starts: it becomes the notebook's kernel

        KernelDisplay display = KernelDisplay.current();
        assertTrue(display.available());
        assertTrue(display.toString().contains("BaseNotebookStatics"), display.toString());

        BufferedImage frame = LossChart.image("bigram: loss while training", new LossHistory("bigram"));
        String id = display.show(frame);
        assertNotNull(id);
        assertEquals(1, kernel.displayed.size(), "the kernel's display(DisplayData) was not called");
        DisplayData shown = kernel.displayed.get(0);
        assertEquals(id, shown.getDisplayId());
        assertNotNull(shown.getData(MIMEType.IMAGE_PNG), "JJava's image renderer made no PNG");
        // JJava's text/plain is the value's toString(): a chart says what it is.
        assertEquals("chart: bigram: loss while training (waiting for the first evaluation), "
                        + LossChart.WIDTH + "×" + LossChart.HEIGHT,
                shown.getData(MIMEType.TEXT_PLAIN));

        display.update(id, frame);
        assertEquals(List.of(frame, frame), kernel.rendered, "updateDisplay did not render through the kernel");
        assertEquals(1, kernel.displayed.size(), "an update must not add a second output");
    }

    /** A JJava kernel with its real renderer and display stream that records what it is asked to show. */
    private static final class RecordingKernel extends BaseKernel {
        final List<DisplayData> displayed = new ArrayList<>();
        final List<Object> rendered;

        RecordingKernel() {
            this(new ArrayList<>());
        }

        private RecordingKernel(List<Object> rendered) {
            super("recording", "test", null, List.of(), null, new JupyterIO(StandardCharsets.UTF_8), new CommManager(),
                    new Renderer() {
                        @Override
                        public DisplayData render(Object value) {
                            rendered.add(value);
                            return super.render(value);
                        }
                    }, null, null, false, new StringStyler.Builder().build());
            this.rendered = rendered;
        }

        @Override
        public void display(DisplayData data) {
            displayed.add(data);
            super.display(data);
        }

        @Override
        public Object evalRaw(String source) {
            throw new UnsupportedOperationException("not needed here");
        }

        @Override
        public DisplayData inspect(String code, int at, boolean extraDetail) {
            return null;
        }

        @Override
        public ReplacementOptions complete(String code, int at) {
            return null;
        }

        @Override
        public String isComplete(String code) {
            return IS_COMPLETE_MAYBE;
        }
    }
}
