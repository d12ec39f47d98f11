package io.cairn.server.concurrency;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyValue;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.KV;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.election.CampaignRequest;
import io.cairn.api.election.CampaignResponse;
import io.cairn.api.election.Election;
import io.cairn.api.election.LeaderKey;
import io.cairn.api.election.LeaderRequest;
import io.cairn.api.election.LeaderResponse;
import io.cairn.api.election.ProclaimRequest;
import io.cairn.api.election.ProclaimResponse;
import io.cairn.api.election.ResignRequest;
import io.cairn.api.election.ResignResponse;
import io.cairn.api.lease.Lease;
import io.cairn.api.watch.Watch;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * etcd's {@code v3election} service on the key-value, watch and lease services, as etcd's election
 * server runs {@code concurrency.Election}. A campaigner's key is {@code <name>/<lease hex>}, created with
 * its lease and holding its value; the campaigner with the oldest key leads.
 * <ul>
 *   <li>Campaign creates the key (or, with the same lease, takes over the existing one and proclaims the
 *       new value), waits until every older key is deleted, then checks that its own key still exists:
 *       a campaigner whose lease ran out while waiting fails with {@code "election: not leader"} rather than
 *       being told it leads.
 *   <li>Proclaim and Resign act only while the key's create revision is the leader key's {@code rev}:
 *       a transaction guards them, so a former leader cannot overwrite or delete a successor's key.
 *   <li>Leader reads the oldest key; Observe streams the leader's value, then every proclamation and every
 *       change of leader (see {@link ObservePublisher}).
 * </ul>
 *
 * <p>Threading: thread-safe; nothing blocks.
 */
public final class KvElection implements Election {

    private final KV kv;
    private final Watch watch;
    private final Lease lease;

    /** An election service on these services; it keeps no state of its own between calls. */
    public KvElection(KV kv, Watch watch, Lease lease) {
        this.kv = Objects.requireNonNull(kv, "kv");
        this.watch = Objects.requireNonNull(watch, "watch");
        this.lease = Objects.requireNonNull(lease, "lease");
    }

    @Override
    public CompletableFuture<CampaignResponse> campaign(CampaignRequest request) {
        Objects.requireNonNull(request, "request");
        Pending pending = new Pending();
        CompletableFuture<CampaignResponse> result = new CompletableFuture<>();
        KvLock.sessionLease(lease, request.lease())
                .thenCompose(leaseId -> {
                    Bytes key = Queueing.ownKey(request.name(), leaseId);
                    result.whenComplete((won, failure) -> {
                        if (failure instanceof CancellationException) {
                            pending.cancel();
                            kv.delete(key); // etcd resigns a campaign whose RPC is cancelled
                        }
                    });
                    return campaign(request, key, leaseId, pending);
                })
                .whenComplete((won, failure) -> {
                    if (failure != null) {
                        result.completeExceptionally(Queueing.unwrap(failure));
                    } else {
                        result.complete(won);
                    }
                });
        return result;
    }

    private CompletableFuture<CampaignResponse> campaign(CampaignRequest request, Bytes key, long leaseId, Pending pending) {
        TxnRequest enter = TxnRequest.empty()
                .when(Compare.createRevision(key, Compare.Result.EQUAL, 0))
                .then(PutRequest.of(key, request.value()).withLease(leaseId))
                .otherwise(RangeRequest.of(key));
        return kv.txn(enter).thenCompose(entered -> {
            if (pending.isCancelled()) {
                kv.delete(key);
                throw new CancellationException();
            }
            LeaderKey leader;
            CompletableFuture<?> valueSet;
            if (entered.succeeded()) {
                leader = new LeaderKey(request.name(), key, entered.header().revision(), leaseId);
                valueSet = CompletableFuture.completedFuture(null);
            } else {
                KeyValue existing = ((RangeResponse) entered.responses().get(0)).kvs().get(0);
                leader = new LeaderKey(request.name(), key, existing.createRevision(), leaseId);
                valueSet = existing.value().equals(request.value()) ? CompletableFuture.completedFuture(null)
                        : proclaim(new ProclaimRequest(leader, request.value())).whenComplete((done, failure) -> {
                            if (failure != null) {
                                resign(new ResignRequest(leader));
                            }
                        });
            }
            return valueSet
                    .thenCompose(set -> Queueing.waitDeletes(kv, watch, Queueing.prefix(request.name()), leader.rev() - 1, pending))
                    .thenCompose(turn -> kv.get(key))
                    .thenApply(ownNow -> {
                        if (ownNow.kvs().isEmpty() || ownNow.kvs().get(0).createRevision() != leader.rev()) {
                            throw new CairnException(ErrorCode.ELECTION_NOT_LEADER);
                        }
                        return new CampaignResponse(entered.header(), leader);
                    });
        });
    }

    @Override
    public CompletableFuture<ProclaimResponse> proclaim(ProclaimRequest request) {
        Objects.requireNonNull(request, "request");
        LeaderKey leader = request.leader();
        TxnRequest guarded = TxnRequest.empty()
                .when(Compare.createRevision(leader.key(), Compare.Result.EQUAL, leader.rev()))
                .then(PutRequest.of(leader.key(), request.value()).withLease(leader.lease()));
        return kv.txn(guarded).thenApply(done -> {
            if (!done.succeeded()) {
                throw new CairnException(ErrorCode.ELECTION_NOT_LEADER);
            }
            return new ProclaimResponse(done.header());
        });
    }

    @Override
    public CompletableFuture<LeaderResponse> leader(LeaderRequest request) {
        Objects.requireNonNull(request, "request");
        return kv.range(Queueing.firstCreated(Queueing.prefix(request.name()))).thenApply(first -> {
            if (first.kvs().isEmpty()) {
                throw new CairnException(ErrorCode.ELECTION_NO_LEADER);
            }
            return new LeaderResponse(first.header(), first.kvs().get(0));
        });
    }

    @Override
    public Flow.Publisher<LeaderResponse> observe(LeaderRequest request) {
        Objects.requireNonNull(request, "request");
        return new ObservePublisher(kv, watch, Queueing.prefix(request.name()));
    }

    @Override
    public CompletableFuture<ResignResponse> resign(ResignRequest request) {
        Objects.requireNonNull(request, "request");
        LeaderKey leader = request.leader();
        TxnRequest guarded = TxnRequest.empty()
                .when(Compare.createRevision(leader.key(), Compare.Result.EQUAL, leader.rev()))
                .then(DeleteRangeRequest.of(leader.key()));
        return kv.txn(guarded).thenApply(done -> new ResignResponse(done.header()));
    }
}
