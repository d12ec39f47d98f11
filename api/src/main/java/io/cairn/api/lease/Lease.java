package io.cairn.api.lease;

import io.cairn.api.CairnException;
import io.cairn.api.Stable;
import io.cairn.api.StatusCode;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * The lease service, as etcd's {@code Lease} gRPC service. The contract of {@link io.cairn.api.kv.KV}
 * holds for every method: null arguments throw at once, futures complete exceptionally with a
 * {@link io.cairn.api.CairnException}, methods are thread-safe and do not block.
 */
@Stable(since = "0.1")
public interface Lease {

    /** Grants a lease. */
    CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request);

    /** Revokes a lease and deletes its keys. */
    CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request);

    /** Opens a keep-alive stream; the caller owns it and must close it. */
    LeaseKeepAliveStream openKeepAliveStream();

    /** Reports a lease's remaining time (and keys). */
    CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request);

    /** Lists every lease. */
    CompletableFuture<LeaseLeasesResponse> leases();

    /**
     * Renews lease {@code id} once, on a stream of its own that is closed afterwards. The future
     * completes with the answer ({@code ttl <= 0} if the lease does not exist), or exceptionally if
     * the stream fails or ends without an answer.
     */
    default CompletableFuture<LeaseKeepAliveResponse> keepAliveOnce(long id) {
        CompletableFuture<LeaseKeepAliveResponse> answer = new CompletableFuture<>();
        LeaseKeepAliveStream stream = openKeepAliveStream();
        stream.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(1);
            }

            @Override
            public void onNext(LeaseKeepAliveResponse response) {
                answer.complete(response);
                stream.close();
            }

            @Override
            public void onError(Throwable failure) {
                answer.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {
                answer.completeExceptionally(new CairnException(StatusCode.UNAVAILABLE,
                        "lease keep-alive stream ended without an answer"));
            }
        });
        try {
            stream.keepAlive(id);
        } catch (RuntimeException closedOrFailed) {
            answer.completeExceptionally(closedOrFailed);
            stream.close();
        }
        return answer;
    }
}
