package io.cairn.benchmark.sidebyside;

/**
 * Samples a member's VmRSS every 50 ms on a daemon thread and keeps the highest value since the
 * last {@link #resetWindow()}. Stopped with {@link #close()}.
 */
final class RssSampler implements AutoCloseable {

    private final Member member;
    private final Thread thread;
    private volatile long windowPeakKib;
    private volatile boolean running = true;

    RssSampler(Member member) {
        this.member = member;
        this.thread = Thread.ofPlatform().daemon().name("rss-" + member.kind.name()).start(this::sample);
    }

    private void sample() {
        while (running) {
            long rss = member.statusKib("VmRSS");
            if (rss > windowPeakKib) windowPeakKib = rss;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void resetWindow() {
        windowPeakKib = member.statusKib("VmRSS");
    }

    /** The highest VmRSS seen since the window began, in KiB. */
    long windowPeakKib() {
        return Math.max(windowPeakKib, member.statusKib("VmRSS"));
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
