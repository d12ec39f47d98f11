package io.cairn.conformance;

import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;

import com.google.protobuf.Message;

import java.time.Duration;

/**
 * A client of one transport's wire protocol, written by the plugin author for
 * {@link TransportVerification}: it carries etcd's v3 messages (the generated classes of
 * {@code io.cairn.etcd.protocol}) to a client endpoint and back, however the transport encodes them
 * (gRPC, the JSON gateway, ...), so that the kit can check the answers once for every transport.
 *
 * <p>Threading: {@link #call} may be used from several threads at once (the kit waits on a Lock or a
 * Campaign in one thread while it unlocks or resigns in another); a stream is used by one thread.
 * Ownership: the kit closes it.
 */
public interface EtcdWire extends AutoCloseable {

    /**
     * Makes one unary call and waits for its answer (the kit allows a few seconds).
     *
     * @param method etcd's gRPC method name, such as {@code etcdserverpb.KV/Put} or
     *     {@code etcdserverpb.Maintenance/Status}
     * @param request the request message of that method
     * @param responseType the default instance of its response message
     * @return the answer, parsed into {@code responseType}'s type
     * @throws EtcdWireException if the endpoint answered with an error: its gRPC code name and the
     *     message, as etcd's client would see them
     */
    <R extends Message> R call(String method, Message request, R responseType) throws EtcdWireException;

    /**
     * A wire to the same endpoint whose every call and stream carries etcd's auth token {@code token}
     * (from {@code etcdserverpb.Auth/Authenticate}) as etcd's clients send it: gRPC metadata
     * {@code token}, the JSON gateway's {@code Authorization} header. It shares this wire's
     * connection; closing this wire closes it too, and closing it closes nothing.
     */
    EtcdWire withToken(String token);

    /**
     * Opens a server-streaming call (such as {@code v3electionpb.Election/Observe}) and returns its
     * responses as they arrive.
     *
     * @throws EtcdWireException if the endpoint refused the call at once
     */
    <R extends Message> ResponseStream<R> stream(String method, Message request, R responseType) throws EtcdWireException;

    /**
     * Opens a watch stream with {@code create} as its first request.
     *
     * @throws EtcdWireException if the endpoint refused the stream at once
     */
    WatchStream watch(WatchRequest create) throws EtcdWireException;

    /** The responses of one open stream, as {@link #stream} or {@link #watch} opened it. */
    interface ResponseStream<R extends Message> extends AutoCloseable {

        /**
         * The next response of the stream, or null if none arrives within {@code timeout}.
         *
         * @throws EtcdWireException if the stream ended with an error; an end without error is
         *     reported as code {@code END}
         */
        R poll(Duration timeout) throws EtcdWireException;

        /** Ends the stream from the client's side (cancels the call or closes the response). */
        @Override
        void close();
    }

    /** One open watch stream, as {@link #watch} opened it. */
    interface WatchStream extends ResponseStream<WatchResponse> {

        /**
         * Sends a further request (a cancel) on this stream.
         *
         * @return false if the wire protocol has no way to (etcd's JSON gateway reads the requests of
         *     a watch from one request body); the kit then skips the rules that need it
         */
        boolean send(WatchRequest request);
    }

    @Override
    void close();
}
