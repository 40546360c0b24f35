package dev.lifeboat.cli;

import dev.lifeboat.repo.Progress;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;

/** Progress as a bar with rate and ETA, on a terminal. */
final class TerminalProgress implements Progress {
    private final PrintStream err;
    private ProgressBar bar;

    TerminalProgress(PrintStream err) {
        this.err = err;
    }

    @Override
    public synchronized void start(String phase, long total, Unit unit) {
        finish();
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(phase).setInitialMax(total)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).showSpeed().setConsumer(
                        new me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer(err))
                .setUpdateIntervalMillis(200);
        if (unit == Unit.BYTES) {
            b.setUnit("MiB", 1024 * 1024);
        }
        bar = b.build();
    }

    @Override
    public synchronized void total(long total) {
        if (bar != null) {
            bar.maxHint(total);
        }
    }

    @Override
    public synchronized void advance(long done) {
        if (bar != null) {
            bar.stepBy(done);
        }
    }

    @Override
    public synchronized void finish() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    @Override
    public synchronized void warn(String message) {
        err.println();
        err.println("warning: " + message);
    }
}
