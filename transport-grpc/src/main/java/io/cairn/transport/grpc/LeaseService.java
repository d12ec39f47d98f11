package io.cairn.transport.grpc;

import io.cairn.etcd.protocol.ServiceMapping;
import io.cairn.etcd.protocol.KvMapping;
import io.cairn.api.Cairn;
import io.cairn.api.lease.LeaseKeepAliveStream;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrantResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.protocol.etcdserverpb.LeaseKeepAliveRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseKeepAliveResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseLeasesRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseLeasesResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseRevokeRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseRevokeResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseTimeToLiveRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseTimeToLiveResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * etcd's {@code etcdserverpb.Lease} service on {@link Cairn#lease()}. A {@code LeaseKeepAlive} call is
 * one {@link LeaseKeepAliveStream}, paced like a watch stream (see {@link OutboundStream}); when the
 * client half-closes, the call ends, as etcd's does.
 */
final class LeaseService extends LeaseGrpc.LeaseImplBase {

    private final Cairn cairn;

    LeaseService(Cairn cairn) {
        this.cairn = cairn;
    }

    @Override
    public void leaseGrant(LeaseGrantRequest request, StreamObserver<LeaseGrantResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.lease().grant(ServiceMapping.toApi(request)), ServiceMapping::toWire);
    }

    @Override
    public void leaseRevoke(LeaseRevokeRequest request, StreamObserver<LeaseRevokeResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.lease().revoke(new io.cairn.api.lease.LeaseRevokeRequest(request.getID())),
                answer -> LeaseRevokeResponse.newBuilder().setHeader(KvMapping.toWire(answer.header())).build());
    }

    @Override
    public void leaseTimeToLive(LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.lease().timeToLive(new io.cairn.api.lease.LeaseTimeToLiveRequest(request.getID(), request.getKeys())),
                ServiceMapping::toWire);
    }

    @Override
    public void leaseLeases(LeaseLeasesRequest request, StreamObserver<LeaseLeasesResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.lease().leases(), ServiceMapping::toWire);
    }

    @Override
    public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(StreamObserver<LeaseKeepAliveResponse> responses) {
        var call = (ServerCallStreamObserver<LeaseKeepAliveResponse>) responses;
        var outbound = new OutboundStream<io.cairn.api.lease.LeaseKeepAliveResponse, LeaseKeepAliveResponse>(
                call, ServiceMapping::toWire, true);
        LeaseKeepAliveStream stream;
        try {
            stream = cairn.lease().openKeepAliveStream();
            stream.subscribe(outbound);
        } catch (RuntimeException failure) {
            outbound.fail(failure);
            return new WatchService.Ignored<>();
        }
        return new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveRequest request) {
                try {
                    stream.keepAlive(request.getID());
                } catch (RuntimeException failure) {
                    // Fail first: closing the api stream first would complete the call with OK.
                    outbound.fail(failure);
                    stream.close();
                    return;
                }
                outbound.pullInbound();
            }

            @Override
            public void onError(Throwable clientGone) {
                stream.close();
            }

            @Override
            public void onCompleted() {
                stream.close();
            }
        };
    }
}
