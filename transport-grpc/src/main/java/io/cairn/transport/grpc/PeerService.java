package io.cairn.transport.grpc;

import com.google.protobuf.ByteString;

import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.PeerHandlerGate;
import io.cairn.transport.grpc.peer.FrameStreamMessage;
import io.cairn.transport.grpc.peer.PeerTransportGrpc;
import io.cairn.transport.grpc.peer.SnapshotStored;
import io.cairn.transport.grpc.peer.SnapshotStreamMessage;
import io.cairn.transport.grpc.peer.StreamAccepted;
import io.cairn.transport.grpc.peer.StreamHeader;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiving half of the peer protocol: checks each stream's header (cluster, recipient), then
 * hands frames to the member's handler in the order they arrive, and runs each incoming snapshot on
 * a thread of its own with its data fed from the stream as the handler reads.
 */
final class PeerService extends PeerTransportGrpc.PeerTransportImplBase {

    private static final System.Logger LOG = System.getLogger(PeerService.class.getName());

    /** Refusals are logged once per (sender, its cluster id), up to this many pairs, and counted always. */
    private static final int LOGGED_REFUSALS = 1024;

    private final PeerEndpointConfig config;
    private final PeerHandlerGate gate;
    private final GrpcPeerEndpoint endpoint;
    private final Set<String> refusalsLogged = ConcurrentHashMap.newKeySet();
    private final AtomicLong refusedStreams = new AtomicLong();
    private final Set<SnapshotDataStream> incomingSnapshots = ConcurrentHashMap.newKeySet();

    PeerService(GrpcPeerEndpoint endpoint) {
        this.endpoint = endpoint;
        this.config = endpoint.config();
        this.gate = endpoint.gate();
    }

    /** How many streams (frames or snapshots) were refused, for tests and diagnostics. */
    long refusedStreams() {
        return refusedStreams.get();
    }

    /** Fails the data of every snapshot being received, so their handlers return. */
    void failIncomingSnapshots(String why) {
        incomingSnapshots.forEach(data -> data.fail(new IOException(why)));
    }

    @Override
    public StreamObserver<FrameStreamMessage> frames(StreamObserver<StreamAccepted> answers) {
        return new StreamObserver<>() {
            // Only gRPC's serialised callbacks for this call touch these.
            private long sender = -1;
            private boolean ended;

            @Override
            public void onNext(FrameStreamMessage message) {
                if (ended) {
                    return;
                }
                if (sender < 0) {
                    Status refusal = !message.hasHeader()
                            ? Status.INVALID_ARGUMENT.withDescription("a peer stream must start with its header")
                            : check(message.getHeader());
                    if (refusal != null) {
                        refuse(refusal);
                        return;
                    }
                    sender = message.getHeader().getSenderId();
                    answers.onNext(StreamAccepted.getDefaultInstance());
                    return;
                }
                if (!message.hasBatch()) {
                    refuse(Status.INVALID_ARGUMENT.withDescription("a peer stream carries one header only"));
                    return;
                }
                for (ByteString frame : message.getBatch().getFramesList()) {
                    if (frame.size() > config.maxFrameBytes()) {
                        refusedStreams.incrementAndGet();
                        String why = "frame of " + frame.size() + " bytes from member " + Long.toHexString(sender)
                                + " exceeds the limit of " + config.maxFrameBytes() + " bytes";
                        LOG.log(System.Logger.Level.WARNING, why + "; stream reset");
                        refuse(Status.RESOURCE_EXHAUSTED.withDescription(why));
                        return;
                    }
                    gate.receive(sender, ByteBuffer.wrap(frame.toByteArray()));
                }
            }

            @Override
            public void onError(Throwable failure) {
                ended = true; // the sender went away; it reconnects by itself
            }

            @Override
            public void onCompleted() {
                if (!ended) {
                    ended = true;
                    answers.onCompleted();
                }
            }

            private void refuse(Status status) {
                ended = true;
                try {
                    answers.onError(status.asRuntimeException());
                } catch (StatusRuntimeException | IllegalStateException callGone) {
                    // the sender went away first
                }
            }
        };
    }

    @Override
    public StreamObserver<SnapshotStreamMessage> snapshot(StreamObserver<SnapshotStored> answer) {
        ServerCallStreamObserver<SnapshotStored> call = (ServerCallStreamObserver<SnapshotStored>) answer;
        // Chunks are pulled as the handler reads them: nothing buffers a snapshot whole.
        call.disableAutoRequest();
        call.request(1);
        return new StreamObserver<>() {
            // Only gRPC's serialised callbacks for this call touch these.
            private SnapshotDataStream data;
            private boolean refused;

            @Override
            public void onNext(SnapshotStreamMessage message) {
                if (refused) {
                    return;
                }
                if (data == null) {
                    Status refusal = !message.hasHeader()
                            ? Status.INVALID_ARGUMENT.withDescription("a snapshot stream must start with its header")
                            : check(message.getHeader().getEnvelope());
                    if (refusal != null) {
                        refused = true;
                        respond(call, refusal);
                        return;
                    }
                    start(call, message.getHeader().getEnvelope().getSenderId(),
                            ByteBuffer.wrap(message.getHeader().getMessage().toByteArray()));
                    return;
                }
                if (!message.hasChunk()) {
                    data.fail(new IOException("a snapshot stream carries one header only"));
                    return;
                }
                data.offer(message.getChunk());
            }

            @Override
            public void onError(Throwable failure) {
                if (data != null) {
                    data.fail(new IOException("snapshot stream broken: " + Status.fromThrowable(failure), failure));
                }
            }

            @Override
            public void onCompleted() {
                if (data != null) {
                    data.end();
                } else if (!refused) {
                    refused = true;
                    respond(call, Status.INVALID_ARGUMENT.withDescription("a snapshot stream must start with its header"));
                }
            }

            private void start(ServerCallStreamObserver<SnapshotStored> call, long sender, ByteBuffer snapshotMessage) {
                SnapshotDataStream stream = new SnapshotDataStream(call::request);
                data = stream;
                incomingSnapshots.add(stream);
                Runnable receive = () -> {
                    Status outcome;
                    try {
                        gate.receiveSnapshot(sender, snapshotMessage, stream);
                        outcome = Status.OK;
                    } catch (IOException | RuntimeException failure) {
                        LOG.log(System.Logger.Level.WARNING, "snapshot from member " + Long.toHexString(sender)
                                + " not stored", failure);
                        outcome = Status.ABORTED.withDescription("member " + Long.toHexString(config.memberId())
                                + " did not store the snapshot: " + failure.getMessage());
                    } finally {
                        stream.close();
                        incomingSnapshots.remove(stream);
                    }
                    respond(call, outcome);
                };
                try {
                    endpoint.receiveSnapshotOnItsOwnThread(receive);
                } catch (RejectedExecutionException busy) {
                    incomingSnapshots.remove(stream);
                    refused = true;
                    respond(call, Status.RESOURCE_EXHAUSTED.withDescription("member " + Long.toHexString(config.memberId())
                            + " is receiving " + GrpcPeerEndpoint.MAX_INCOMING_SNAPSHOTS + " snapshots already"));
                }
            }
        };
    }

    private static void respond(ServerCallStreamObserver<SnapshotStored> call, Status status) {
        synchronized (call) {
            try {
                if (status.isOk()) {
                    call.onNext(SnapshotStored.getDefaultInstance());
                    call.onCompleted();
                } else {
                    call.onError(status.asRuntimeException());
                }
            } catch (StatusRuntimeException | IllegalStateException callGone) {
                // the sender went away first; its future has failed already
            }
        }
    }

    /** Null if the header is for this member of this cluster, else the refusal. */
    private Status check(StreamHeader header) {
        Status refusal = null;
        if (header.getClusterId() != config.clusterId()) {
            // etcd's rafthttp answers a peer of another cluster with "cluster ID mismatch".
            refusal = Status.FAILED_PRECONDITION.withDescription("cluster ID mismatch: member "
                    + Long.toHexString(header.getSenderId()) + " is in cluster " + Long.toHexString(header.getClusterId())
                    + ", this member is in cluster " + Long.toHexString(config.clusterId()));
        } else if (header.getRecipientId() != config.memberId()) {
            refusal = Status.FAILED_PRECONDITION.withDescription("member ID mismatch: member "
                    + Long.toHexString(header.getSenderId()) + " addressed member " + Long.toHexString(header.getRecipientId())
                    + ", this is member " + Long.toHexString(config.memberId()));
        } else if (header.getSenderId() == 0) {
            refusal = Status.INVALID_ARGUMENT.withDescription("a peer stream needs a sender id");
        }
        if (refusal != null) {
            refusedStreams.incrementAndGet();
            String key = header.getClusterId() + "/" + header.getSenderId() + "/" + header.getRecipientId();
            if (refusalsLogged.size() < LOGGED_REFUSALS && refusalsLogged.add(key)) {
                LOG.log(System.Logger.Level.WARNING, "refused a peer stream: " + refusal.getDescription());
            }
        }
        return refusal;
    }
}
