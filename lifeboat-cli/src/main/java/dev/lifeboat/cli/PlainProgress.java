package dev.lifeboat.cli;

import dev.lifeboat.repo.Progress;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/** Progress as plain lines on standard error, at most one every two seconds: for logs and pipes. */
final class PlainProgress implements Progress {
    private static final long INTERVAL_NANOS = 2_000_000_000L;
    private final PrintStream err;
    private final AtomicLong done = new AtomicLong();
    private volatile long total = -1;
    private volatile String phase = "";
    private volatile Unit unit = Unit.ITEMS;
    private volatile long started;
    private volatile long lastPrint;

    PlainProgress(PrintStream err) {
        this.err = err;
    }

    @Override
    public void start(String phase, long total, Unit unit) {
        this.phase = phase;
        this.total = total;
        this.unit = unit;
        this.done.set(0);
        this.started = System.nanoTime();
        this.lastPrint = started;
    }

    @Override
    public void total(long total) {
        this.total = total;
    }

    @Override
    public void advance(long n) {
        long d = done.addAndGet(n);
        long now = System.nanoTime();
        long last = lastPrint;
        if (now - last >= INTERVAL_NANOS) {
            synchronized (this) {
                if (lastPrint == last) {
                    lastPrint = now;
                    err.println(line(d, now));
                }
            }
        }
    }

    private String line(long d, long now) {
        double secs = Math.max(1e-3, (now - started) / 1e9);
        StringBuilder sb = new StringBuilder(phase).append(": ");
        if (unit == Unit.BYTES) {
            sb.append(Format.bytes(d));
            if (total > 0) {
                sb.append(" of ").append(Format.bytes(total));
            }
            sb.append(", ").append(Format.bytes((long) (d / secs))).append("/s");
        } else {
            sb.append(d);
            if (total > 0) {
                sb.append(" of ").append(total);
            }
        }
        if (total > 0 && d > 0 && d < total) {
            long eta = (long) ((total - d) * secs / d);
            sb.append(String.format(", %d%%, eta %s", d * 100 / total, Format.duration(eta * 1000)));
        }
        return sb.toString();
    }

    @Override
    public void finish() {
        long now = System.nanoTime();
        if (now - started >= INTERVAL_NANOS) {
            err.println(line(done.get(), now) + ", done");
        }
    }

    @Override
    public void warn(String message) {
        err.println("warning: " + message);
    }
}
