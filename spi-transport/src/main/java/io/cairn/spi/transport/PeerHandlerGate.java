package io.cairn.spi.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Every call of a peer endpoint into its {@link PeerHandler} passes through here, so that
 * {@link #closeAndAwait} can promise that none is running or will start once it returns, and so
 * that a failing handler is logged rather than breaking the transport's stream or request. For
 * transport plugins' {@link PeerEndpoint}s, whichever wire they speak.
 *
 * <p>Threading: thread-safe; calls run on the caller's thread. Ownership: the gate does not own the
 * handler (it never closes it). Failure: {@code receive} and {@code unreachable} log a failing
 * handler and return; {@code receiveSnapshot} passes the handler's {@link IOException} on.
 */
public final class PeerHandlerGate {

    private static final System.Logger LOG = System.getLogger(PeerHandlerGate.class.getName());

    private final PeerHandler handler;

    // Guarded by this. Invariant: active >= 0; no call enters once closed.
    private int active;
    private boolean closed;

    public PeerHandlerGate(PeerHandler handler) {
        this.handler = handler;
    }

    /** Delivers a frame, unless the endpoint is closed; a failure of the handler is logged (the frame is lost). */
    public void receive(long from, ByteBuffer frame) {
        if (!enter()) {
            return;
        }
        try {
            handler.receive(from, frame);
        } catch (RuntimeException | Error failure) {
            LOG.log(System.Logger.Level.WARNING, "peer handler failed on a frame from member " + Long.toHexString(from)
                    + "; the frame is lost", failure);
        } finally {
            exit();
        }
    }

    /** Reports {@code peer} unreachable, unless the endpoint is closed. */
    public void unreachable(long peer) {
        if (!enter()) {
            return;
        }
        try {
            handler.unreachable(peer);
        } catch (RuntimeException | Error failure) {
            LOG.log(System.Logger.Level.WARNING, "peer handler failed on unreachable(" + Long.toHexString(peer) + ")", failure);
        } finally {
            exit();
        }
    }

    /**
     * Hands a snapshot to the handler and blocks while it reads.
     *
     * @throws IOException as the handler throws it, or if the endpoint is closed
     */
    public void receiveSnapshot(long from, ByteBuffer message, InputStream data) throws IOException {
        if (!enter()) {
            throw new IOException("peer endpoint closed");
        }
        try {
            handler.receiveSnapshot(from, message, data);
        } finally {
            exit();
        }
    }

    /**
     * Lets no further call in, and waits up to {@code timeout} for the calls running to return.
     *
     * @return whether none is running any more
     */
    public synchronized boolean closeAndAwait(long timeout, TimeUnit unit) {
        closed = true;
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        boolean interrupted = false;
        while (active > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return active == 0;
    }

    private synchronized boolean enter() {
        if (closed) {
            return false;
        }
        active++;
        return true;
    }

    private synchronized void exit() {
        if (--active == 0) {
            notifyAll();
        }
    }
}
