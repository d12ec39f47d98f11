package io.cairn.transport.http;

import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.connector.PooledByteBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import org.xnio.IoUtils;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Notices that an HTTP/1.1 client closed its connection while its call waits for an answer (a lock or a
 * campaign may wait indefinitely), and then cancels the call, as etcd's gateway cancels the call's context
 * when Go's HTTP server sees the connection close.
 *
 * <p>Why this reads the connection: once the request body is read, Undertow reads nothing more from the
 * connection until the answer is sent, so a closed connection would only be seen when writing the answer.
 * While the call waits, this puts the connection's own source conduit back in place (Undertow's
 * exchange has a fixed-length body conduit there, which is at its end), reads from it on the connection's
 * I/O thread, and on end of stream or an error cancels the call and closes the connection. Bytes that
 * arrive (a pipelined next request) are handed back to Undertow and the watch ends. {@link #stop()}
 * restores the exchange's conduit and Undertow's state before the answer is written; the answer must
 * wait for it.
 *
 * <p>Not for HTTP/2 or connections with already-buffered request bytes: there, only the connection's
 * close listener cancels the call.
 */
final class DisconnectWatch {

    private final CompletableFuture<?> pending;
    private final AbstractServerConnection connection;
    private ConduitStreamSourceChannel channel; // confined to the I/O thread
    private StreamSourceConduit exchangeConduit; // confined to the I/O thread
    private boolean watching; // confined to the I/O thread

    private DisconnectWatch(CompletableFuture<?> pending, AbstractServerConnection connection) {
        this.pending = pending;
        this.connection = connection;
    }

    /** Starts watching {@code exchange}'s connection for the life of {@code pending}; cancels it on a disconnect. */
    static DisconnectWatch start(HttpServerExchange exchange, CompletableFuture<?> pending) {
        exchange.getConnection().addCloseListener(closed -> pending.cancel(false));
        if (!(exchange.getConnection() instanceof AbstractServerConnection connection)
                || !"HTTP/1.1".equals(exchange.getProtocol().toString())) {
            return new DisconnectWatch(pending, null);
        }
        DisconnectWatch watch = new DisconnectWatch(pending, connection);
        connection.getIoThread().execute(watch::begin);
        return watch;
    }

    private void begin() {
        if (pending.isDone() || connection.getExtraBytes() != null || !connection.isOpen()) {
            return;
        }
        channel = connection.getChannel().getSourceChannel();
        exchangeConduit = channel.getConduit();
        channel.setConduit(connection.getOriginalSourceConduit());
        channel.setReadListener(ignored -> readable());
        watching = true;
        channel.resumeReads();
    }

    private void readable() {
        if (!watching) {
            return;
        }
        ByteBuffer probe = ByteBuffer.allocate(512);
        int read;
        try {
            read = channel.read(probe);
        } catch (IOException broken) {
            read = -1;
        }
        if (read == 0) {
            return;
        }
        restore();
        if (read < 0) {
            pending.cancel(false);
            IoUtils.safeClose(connection);
            return;
        }
        // the start of a pipelined request: Undertow reads it after this exchange
        probe.flip();
        PooledByteBuffer pooled = connection.getByteBufferPool().allocate();
        pooled.getBuffer().clear();
        pooled.getBuffer().put(probe).flip();
        connection.setExtraBytes(pooled);
    }

    private void restore() {
        if (watching) {
            watching = false;
            channel.suspendReads();
            channel.setReadListener(null);
            channel.setConduit(exchangeConduit);
        }
    }

    /** Stops watching and gives the connection back to Undertow; the answer may be written once this completes. */
    CompletableFuture<Void> stop() {
        if (connection == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        connection.getIoThread().execute(() -> {
            restore();
            stopped.complete(null);
        });
        return stopped;
    }
}
