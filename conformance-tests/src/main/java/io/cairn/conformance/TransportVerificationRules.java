package io.cairn.conformance;

/**
 * The rules of the transport kit, numbered as in {@code conformance-tests/README.md} ("Transport
 * kit"), each with what to check when it fails. {@link TransportVerification} implements every one
 * as a test. Section T1 is discovery, T2–T6 and T10–T12 the client half (skipped when the provider's
 * {@code startClientEndpoint} is not supported), T7–T9 the peer half (skipped when
 * {@code carriesPeerTraffic()} is false).
 */
public interface TransportVerificationRules {

    /**
     * T1.1: the provider is found by its id among the providers the ServiceLoader finds, exactly once,
     * and the id is lower-case letters, digits and '-'.
     * If this fails, check: the {@code provides} clause of the plugin's module-info; a duplicate id.
     */
    void required_specT1_1_providerIsFoundByItsId() throws Exception;

    /**
     * T2.1: Put answers with a header whose revision grew by one; Range answers the key with its value,
     * create/mod revision and version as etcd counts them, and {@code count}.
     * If this fails, check: the mapping of PutResponse/RangeResponse and of the response header.
     */
    void required_specT2_1_putAndRangeAnswerAsEtcd() throws Exception;

    /**
     * T2.2: DeleteRange over a prefix answers {@code deleted} and, with {@code prev_kv}, the deleted pairs.
     * If this fails, check: range_end and prev_kv in the DeleteRange mapping.
     */
    void required_specT2_2_deleteRangeAnswersDeletedAndPrevKvs() throws Exception;

    /**
     * T2.3: Txn takes the success branch when its compares hold and the failure branch otherwise, and
     * answers {@code succeeded} and the branch's responses in order.
     * If this fails, check: the Compare target/result mapping, nested responses.
     */
    void required_specT2_3_txnTakesTheBranchItsComparesChoose() throws Exception;

    /**
     * T2.4: LeaseGrant answers the id and TTL; a key put with the lease is listed by LeaseTimeToLive
     * with keys; LeaseLeases lists it; LeaseRevoke deletes the key.
     * If this fails, check: the Lease service mapping, the lease field of Put.
     */
    void required_specT2_4_leasesAttachAndRevokeDeletes() throws Exception;

    /**
     * T2.5: MemberList answers one member whose id is the header's member id; Status answers a
     * version, the leader (this member) and the header's revision.
     * If this fails, check: the Cluster and Maintenance mappings, header cluster_id/member_id.
     */
    void required_specT2_5_clusterAndMaintenanceDescribeTheMember() throws Exception;

    /**
     * T3.1: errors carry etcd's gRPC codes and messages, exactly: empty key, future revision,
     * compacted revision, unknown lease on Put and on LeaseRevoke, duplicate key in a Txn.
     * If this fails, check: the transport's mapping from {@code CairnException} to its wire error
     * (the JSON gateway: {@code {"error","code","message"}} with the gRPC code number).
     */
    void required_specT3_1_errorsCarryEtcdsCodesAndMessages() throws Exception;

    /**
     * T4.1: a watch answers {@code created}, then every change of its range in revision order, each
     * once, PUT and DELETE.
     * If this fails, check: the watch stream's flow control, event type mapping, ordering across
     * responses.
     */
    void required_specT4_1_watchStreamsEventsInOrder() throws Exception;

    /**
     * T4.2: a watch from an old revision first replays the history since it.
     * If this fails, check: start_revision in the WatchCreateRequest mapping.
     */
    void required_specT4_2_watchFromAnOldRevisionReplaysHistory() throws Exception;

    /**
     * T4.3: a watch from a compacted revision is answered with {@code compact_revision} and
     * {@code canceled} (etcd 3.5's way).
     * If this fails, check: the mapping of the watch's compacted cancellation.
     */
    void required_specT4_3_watchBelowTheCompactionIsCanceled() throws Exception;

    /**
     * T5.1: a watch stream the client closes delivers nothing more, and the endpoint keeps serving new
     * streams and calls.
     * If this fails, check: that a client's cancellation releases the stream's watchers.
     */
    void required_specT5_1_aClosedWatchStreamEndsAndTheEndpointServesOn() throws Exception;

    /**
     * T5.2 (where the wire can send requests on an open watch): a cancel request is answered
     * {@code canceled} for that watch id, and its changes stop.
     * If this fails, check: WatchCancelRequest handling.
     */
    void optional_specT5_2_aCancelRequestCancelsTheWatch() throws Exception;

    /**
     * T6.1: closing a client endpoint releases its addresses (they can be bound again at once).
     * If this fails, check: {@code close} stops every server before it returns.
     */
    void required_specT6_1_closingAClientEndpointReleasesItsAddresses() throws Exception;

    /**
     * T7.1: frames between three members arrive whole and in order per sender, none reported
     * unreachable.
     * If this fails, check: one connection/stream per peer, queue order, batching boundaries.
     */
    void required_specT7_1_framesArriveWholeAndInOrderPerPeer() throws Exception;

    /**
     * T7.2: a frame for a member not in {@code updatePeers} is dropped at once ({@code send} false) and
     * that member is reported unreachable.
     * If this fails, check: {@code send} for unknown ids.
     */
    void required_specT7_2_aFrameForAnUnknownMemberIsDropped() throws Exception;

    /**
     * T7.3: a frame over {@code maxFrameBytes} is dropped at once by {@code send}.
     * If this fails, check: the size check in {@code send}.
     */
    void required_specT7_3_aFrameOverTheLimitIsDroppedAtOnce() throws Exception;

    /**
     * T7.4: towards a peer that accepts connections and never reads, {@code send} accepts at most
     * {@code maxQueuedFrames} plus {@value TransportVerification#IN_FLIGHT_ALLOWANCE_BYTES} bytes' worth
     * of frames, then drops them and reports the peer unreachable.
     * If this fails, check: that frames leave the queue only as the connection takes them; the queue bound.
     */
    void required_specT7_4_aDeadPeerCostsBoundedMemory() throws Exception;

    /**
     * T7.5: when a receiver stops, it is reported unreachable; once it is back on the same address,
     * frames flow again, in order, without duplicates.
     * If this fails, check: reconnect with backoff; what happens to frames queued during the outage.
     */
    void required_specT7_5_framesFlowAgainAfterTheReceiverRestarts() throws Exception;

    /**
     * T7.6: frames of another cluster, or addressed to another member, are not delivered.
     * If this fails, check: the envelope check on the receiving side (etcd's "cluster ID mismatch").
     */
    void required_specT7_6_framesOfAnotherClusterAreRefused() throws Exception;

    /**
     * T8.1: a snapshot of several MiB arrives whole, with its message, and the sender's future
     * completes only after the receiver's handler returned.
     * If this fails, check: chunking, the end of the stream, when the answer is sent.
     */
    void required_specT8_1_aSnapshotArrivesWhole() throws Exception;

    /**
     * T8.2: a snapshot whose handler throws fails the sender's future.
     * If this fails, check: that the receiver's failure travels back.
     */
    void required_specT8_2_aRefusedSnapshotFailsTheSender() throws Exception;

    /**
     * T8.3: while a snapshot handler is blocked reading, frames between the same members still arrive.
     * If this fails, check: snapshots on a connection (or stream) of their own.
     */
    void required_specT8_3_framesAreNotHeldUpBehindASnapshot() throws Exception;

    /**
     * T9.1: closing a peer endpoint releases its addresses, fails its outgoing snapshots, and no
     * handler call happens after {@code close} returned.
     * If this fails, check: the order of the close steps.
     */
    void required_specT9_1_closingAPeerEndpointStopsEverything() throws Exception;

    /**
     * T10.1: the Auth service's administration round-trips: UserAdd, RoleAdd, RoleGrantPermission,
     * UserGrantRole and AuthEnable; Authenticate answers a token; with root's token UserList, UserGet,
     * RoleGet (type, key, range_end) and RoleList answer what was added; AuthStatus follows AuthEnable
     * and AuthDisable; after AuthDisable a call without a token is served again.
     * If this fails, check: the Auth service's mapping; that the endpoint serves each call on the view
     * {@code ClientIdentities.forToken} returns for its token (gRPC metadata {@code token}, the
     * gateway's {@code Authorization} header), not on one view for every call.
     */
    void required_specT10_1_authAdministrationRoundTrips() throws Exception;

    /**
     * T10.2: with auth enabled, a call without a token is refused with {@code INVALID_ARGUMENT
     * etcdserver: user name is empty}, one with a token the server never issued with {@code
     * UNAUTHENTICATED etcdserver: invalid auth token}, Authenticate with a wrong password with {@code
     * INVALID_ARGUMENT etcdserver: authentication failed, invalid user ID or password}, and UserList
     * with the token of a user without the root role with {@code PERMISSION_DENIED etcdserver:
     * permission denied}.
     * If this fails, check: {@code ClientIdentities.anonymous()} for calls without credentials; that
     * {@code forToken}'s {@code CairnException} is answered as etcd's error, not as an internal one.
     */
    void required_specT10_2_callsWithoutAValidTokenAreRefused() throws Exception;

    /**
     * T10.3: a call with a user's token acts as that user: a user whose role may read and write a
     * prefix puts and ranges there, is refused {@code PERMISSION_DENIED etcdserver: permission denied}
     * outside it, and watches it with the token; root's token may write anywhere and reads what the
     * user wrote.
     * If this fails, check: that the token reaches the server on every call and stream (a lost token
     * makes the call anonymous: "user name is empty").
     */
    void required_specT10_3_aTokenActsAsItsUser() throws Exception;

    /**
     * T10.4: a watch outside the user's permission is refused as etcd 3.4/3.5 refuses it: one
     * response, {@code created} and {@code canceled}, with {@code cancel_reason} {@code "rpc error:
     * code = PermissionDenied desc = etcdserver: permission denied"}, and the stream stays open: a
     * permitted watch created on it afterwards delivers its changes (checked where the wire can send
     * a second request on a watch stream; on the JSON gateway, which cannot, the stream must stay
     * open after the refusal).
     * If this fails, check: that a refused create is answered on the stream rather than ending it
     * with an error, and that the watch stream carries the token (an anonymous one is refused
     * "user name is empty").
     */
    void required_specT10_4_aWatchOutsideThePermissionIsRefusedAsEtcdRefusesIt() throws Exception;

    /**
     * T11.1: Lock answers a key under the lock's name, held with the lock's lease; a second Lock of the
     * same name waits until the first is unlocked, then answers a key of its own; Unlock deletes the key.
     * If this fails, check: the v3lock service (gateway {@code /v3/lock/lock}); that a waiting Lock is
     * answered when its future completes, not with a timeout of the transport's own.
     */
    void required_specT11_1_aLockIsHeldUntilUnlocked() throws Exception;

    /**
     * T11.2: Campaign answers the leader key (name, a key under it, lease, revision); Leader answers the
     * winner's value; Observe streams the leader's value, then each Proclaim; a second Campaign waits
     * while there is a leader and wins once it resigns, and Observe reports the new leader.
     * If this fails, check: the v3election service (gateway {@code /v3/election/*}, observe as a
     * stream of {@code {"result":...}} lines), the LeaderKey mapping.
     */
    void required_specT11_2_anElectionHasOneLeaderAndObserveFollowsIt() throws Exception;

    /**
     * T12.1: MemberAdd of a learner with a peer URL answers the member (id, learner, peer URLs) and
     * the new list; MemberUpdate answers the list with the new peer URL, which MemberList shows;
     * MemberRemove answers the list without the member.
     * If this fails, check: the Cluster service's mapping ({@code isLearner}, {@code peerURLs}).
     */
    void required_specT12_1_membershipChangesAnswerTheMembers() throws Exception;

    /**
     * T12.2: MemberPromote of a learner that is not in sync is refused with {@code FAILED_PRECONDITION
     * etcdserver: can only promote a learner member which is in sync with leader}; MemberPromote,
     * MemberRemove and MemberUpdate of an unknown id with {@code NOT_FOUND etcdserver: member not found}.
     * If this fails, check: the error mapping of the Cluster service.
     */
    void required_specT12_2_membershipChangesAreRefusedAsEtcdRefusesThem() throws Exception;
}
