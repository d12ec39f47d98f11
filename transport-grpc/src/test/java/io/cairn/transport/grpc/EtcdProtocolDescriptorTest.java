package io.cairn.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.cairn.etcd.protocol.authpb.AuthProto;
import io.cairn.etcd.protocol.etcdserverpb.RpcProto;
import io.cairn.etcd.protocol.mvccpb.KvProto;
import io.cairn.etcd.protocol.v3electionpb.V3ElectionProto;
import io.cairn.etcd.protocol.v3lockpb.V3LockProto;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our .proto files against jetcd's generated descriptors (io.etcd:jetcd-grpc), an independent copy of
 * etcd's protocol: every service, method, message, field and enum of jetcd's must be in ours with
 * the same wire identity, and everything ours has beyond jetcd's is pinned below as a known etcd
 * addition that jetcd's copy predates.
 */
class EtcdProtocolDescriptorTest {

    /** jetcd's files: rpc.proto, kv.proto, auth.proto, lock.proto, election.proto. */
    static final List<FileDescriptor> JETCD = List.of(
            io.etcd.jetcd.api.JetcdProto.getDescriptor(),
            io.etcd.jetcd.api.Kv.getDescriptor(),
            io.etcd.jetcd.api.Auth.getDescriptor(),
            io.etcd.jetcd.api.lock.JetcdProto.getDescriptor(),
            io.etcd.jetcd.api.ElectionOuterClass.getDescriptor());

    static final List<FileDescriptor> OURS = List.of(
            RpcProto.getDescriptor(),
            KvProto.getDescriptor(),
            AuthProto.getDescriptor(),
            V3LockProto.getDescriptor(),
            V3ElectionProto.getDescriptor());

    /**
     * jetcd declares Watch.Progress, a unary RPC that etcd does not have (etcd asks for progress with
     * WatchRequest.progress_request on the Watch stream); we follow etcd.
     */
    static final List<String> JETCD_ONLY = List.of("method etcdserverpb.Watch.Progress: missing in ours");

    /** etcd 3.3–3.6 additions that jetcd 0.8.7's copy of the protocol lacks; each is in etcd's rpc.proto/auth.proto. */
    static final List<String> ETCD_ADDITIONS_MISSING_FROM_JETCD = List.of(
            "method etcdserverpb.Lease.LeaseLeases",
            "method etcdserverpb.Maintenance.Downgrade",
            "method etcdserverpb.Auth.AuthStatus",
            "field etcdserverpb.Compare #8 (lease)",
            "field etcdserverpb.HashKVResponse #4 (hash_revision)",
            "field etcdserverpb.SnapshotResponse #4 (version)",
            "field etcdserverpb.WatchCreateRequest #7 (watch_id)",
            "field etcdserverpb.WatchCreateRequest #8 (fragment)",
            "field etcdserverpb.WatchResponse #7 (fragment)",
            "message etcdserverpb.LeaseCheckpoint",
            "message etcdserverpb.LeaseCheckpointRequest",
            "message etcdserverpb.LeaseCheckpointResponse",
            "message etcdserverpb.LeaseLeasesRequest",
            "message etcdserverpb.LeaseStatus",
            "message etcdserverpb.LeaseLeasesResponse",
            "field etcdserverpb.MemberListRequest #1 (linearizable)",
            "message etcdserverpb.DowngradeRequest",
            "message etcdserverpb.DowngradeResponse",
            "message etcdserverpb.DowngradeVersionTestRequest",
            "field etcdserverpb.StatusResponse #11 (storageVersion)",
            "field etcdserverpb.StatusResponse #12 (dbSizeQuota)",
            "field etcdserverpb.StatusResponse #13 (downgradeInfo)",
            "message etcdserverpb.DowngradeInfo",
            "message etcdserverpb.AuthStatusRequest",
            "field etcdserverpb.AuthUserAddRequest #3 (options)",
            "field etcdserverpb.AuthUserAddRequest #4 (hashedPassword)",
            "field etcdserverpb.AuthUserChangePasswordRequest #3 (hashedPassword)",
            "message etcdserverpb.AuthStatusResponse",
            "message authpb.UserAddOptions",
            "field authpb.User #4 (options)",
            "enum etcdserverpb.DowngradeRequest.DowngradeAction",
            "enum value etcdserverpb.Compare.CompareTarget.LEASE",
            "enum value etcdserverpb.AlarmType.CORRUPT");

    @Test
    void everyServiceMessageAndEnumOfJetcdHasTheSameWireIdentityInOurs() {
        var comparison = DescriptorComparison.compare(JETCD, OURS);

        assertEquals(JETCD_ONLY, comparison.differences(), "differences from jetcd's protocol");
        // Not vacuous: everything jetcd 0.8.7 declares was looked up (8 services: rpc.proto's 6, Lock
        // and Election, with 46 methods; 103 messages with 228 fields; 9 enums with 28 values).
        assertEquals(new DescriptorComparison.Counts(8, 46, 103, 228, 9, 28), comparison.counts());
    }

    @Test
    void oursIsTheNamedModuleAndJetcdIsOnTheClassPath() {
        // Our descriptors come from the named module io.cairn.etcd.protocol, the one the transport
        // serves with; jetcd-grpc has no module name and stays in the unnamed module.
        assertEquals("io.cairn.etcd.protocol", RpcProto.class.getModule().getName());
        assertTrue(getClass().getModule().canRead(RpcProto.class.getModule()));
        assertFalse(io.etcd.jetcd.api.JetcdProto.class.getModule().isNamed());
    }

    @Test
    void whatOursHasBeyondJetcdIsExactlyTheKnownEtcdAdditions() {
        var comparison = DescriptorComparison.compare(JETCD, OURS);

        assertEquals(
                ETCD_ADDITIONS_MISSING_FROM_JETCD.stream().sorted().toList(),
                comparison.extras().stream().sorted().toList());
    }

    /** One change to one of our wire facts, and a piece of the difference it must cause. */
    record Mutation(String description, String expectedDifference, UnaryOperator<FileDescriptorProto.Builder> change) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Mutation> mutations() {
        return Stream.of(
                new Mutation("RangeRequest.key renumbered 1 -> 99",
                        "field etcdserverpb.RangeRequest #1 (key): missing in ours",
                        rpc -> field(rpc, "RangeRequest", "key", f -> f.setNumber(99))),
                new Mutation("Compare.range_end renumbered 64 -> 63",
                        "field etcdserverpb.Compare #64 (range_end): missing in ours",
                        rpc -> field(rpc, "Compare", "range_end", f -> f.setNumber(63))),
                new Mutation("PutRequest.lease int64 -> uint64",
                        "field etcdserverpb.PutRequest #3 (lease): type is UINT64, expected INT64",
                        rpc -> field(rpc, "PutRequest", "lease", f -> f.setType(FieldDescriptorProto.Type.TYPE_UINT64))),
                new Mutation("RangeResponse.kvs renamed",
                        "field etcdserverpb.RangeResponse #2 (kvs): name is kv, expected kvs",
                        rpc -> field(rpc, "RangeResponse", "kvs", f -> f.setName("kv"))),
                new Mutation("TxnRequest.compare no longer repeated",
                        "field etcdserverpb.TxnRequest #1 (compare): repeated is false, expected true",
                        rpc -> field(rpc, "TxnRequest", "compare", f -> f.setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL))),
                new Mutation("Compare.value moved out of target_union",
                        "field etcdserverpb.Compare #7 (value): oneof is null, expected target_union",
                        rpc -> field(rpc, "Compare", "value", FieldDescriptorProto.Builder::clearOneofIndex)),
                new Mutation("Watch.Watch no longer client-streaming",
                        "method etcdserverpb.Watch.Watch: client streaming is false, expected true",
                        rpc -> {
                            rpc.getServiceBuilderList().stream().filter(s -> s.getName().equals("Watch"))
                                    .forEach(s -> s.getMethodBuilder(0).setClientStreaming(false));
                            return rpc;
                        }),
                new Mutation("KV.Range renamed",
                        "method etcdserverpb.KV.Range: missing in ours",
                        rpc -> {
                            rpc.getServiceBuilderList().stream().filter(s -> s.getName().equals("KV"))
                                    .forEach(s -> s.getMethodBuilder(0).setName("Get"));
                            return rpc;
                        }),
                new Mutation("Compare.CompareResult.NOT_EQUAL renumbered 3 -> 4",
                        "enum value etcdserverpb.Compare.CompareResult.NOT_EQUAL: number is 4, expected 3",
                        rpc -> {
                            message(rpc, "Compare").getEnumTypeBuilderList().stream()
                                    .filter(e -> e.getName().equals("CompareResult"))
                                    .forEach(e -> e.getValueBuilderList().stream()
                                            .filter(v -> v.getName().equals("NOT_EQUAL"))
                                            .forEach(v -> v.setNumber(4)));
                            return rpc;
                        }));
    }

    @ParameterizedTest
    @MethodSource("mutations")
    void theComparisonCatchesAMutatedCopy(Mutation mutation) throws DescriptorValidationException {
        FileDescriptorProto.Builder rpc = RpcProto.getDescriptor().toProto().toBuilder();
        FileDescriptor mutated = FileDescriptor.buildFrom(
                mutation.change().apply(rpc).build(),
                new FileDescriptor[] {KvProto.getDescriptor(), AuthProto.getDescriptor()});
        List<FileDescriptor> mutatedOurs = List.of(
                mutated, KvProto.getDescriptor(), AuthProto.getDescriptor(),
                V3LockProto.getDescriptor(), V3ElectionProto.getDescriptor());

        var differences = DescriptorComparison.compare(JETCD, mutatedOurs).differences();

        assertTrue(differences.contains(mutation.expectedDifference()),
                "mutation '" + mutation + "' should be reported as '" + mutation.expectedDifference()
                        + "'; reported: " + differences);
    }

    private static DescriptorProto.Builder message(FileDescriptorProto.Builder file, String name) {
        return file.getMessageTypeBuilderList().stream().filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no message " + name + " in " + file.getName()));
    }

    private static FileDescriptorProto.Builder field(
            FileDescriptorProto.Builder file, String message, String field, UnaryOperator<FieldDescriptorProto.Builder> change) {
        change.apply(message(file, message).getFieldBuilderList().stream().filter(f -> f.getName().equals(field))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no field " + field + " in " + message)));
        return file;
    }
}
