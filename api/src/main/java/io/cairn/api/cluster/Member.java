package io.cairn.api.cluster;

import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * One member of the cluster, as etcd's {@code Member}.
 *
 * @param id the member id, an unsigned 64-bit number carried bit for bit (etcd prints it in hex)
 * @param name the human-readable name; empty while the member has not started; never null
 * @param peerUrls the URLs the member serves peers on; unmodifiable
 * @param clientUrls the URLs the member serves clients on; empty while it has not started; unmodifiable
 * @param learner whether the member is a Raft learner (etcd {@code isLearner}): it replicates but
 *     does not vote
 */
@Stable(since = "0.1")
public record Member(long id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner) {

    /**
     * Copies the lists.
     *
     * @throws NullPointerException if {@code name}, a list or a URL is null
     */
    public Member {
        Objects.requireNonNull(name, "name");
        peerUrls = Checks.copyOf(peerUrls, "peerUrls");
        clientUrls = Checks.copyOf(clientUrls, "clientUrls");
    }

    /** The id in hex, as etcd prints it. */
    public String idHex() {
        return Long.toHexString(id);
    }
}
