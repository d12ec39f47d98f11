package io.cairn.server.auth;

import io.cairn.api.Bytes;
import io.cairn.api.auth.Permission;

import java.util.Objects;

/**
 * A change to the auth store, as it travels through the Raft log (etcd's {@code InternalRaftRequest}
 * auth fields). Passwords never appear here: the member that receives a request hashes the password
 * before proposing, so the log and snapshots hold only {@link Passwords} hashes.
 */
public sealed interface AuthChange {

    /** etcd's AuthEnable. */
    record Enable() implements AuthChange {}

    /** etcd's AuthDisable. */
    record Disable() implements AuthChange {}

    /** etcd's UserAdd; {@code passwordHash} empty for a user without a password. */
    record UserAdd(String name, String passwordHash, boolean noPassword) implements AuthChange {
        public UserAdd {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(passwordHash, "passwordHash");
        }

        @Override
        public String toString() {
            return "UserAdd[name=" + name + ", noPassword=" + noPassword + "]";
        }
    }

    /** etcd's UserDelete. */
    record UserDelete(String name) implements AuthChange {}

    /** etcd's UserChangePassword. */
    record UserChangePassword(String name, String passwordHash) implements AuthChange {
        @Override
        public String toString() {
            return "UserChangePassword[name=" + name + "]";
        }
    }

    /** etcd's UserGrantRole. */
    record UserGrantRole(String user, String role) implements AuthChange {}

    /** etcd's UserRevokeRole. */
    record UserRevokeRole(String user, String role) implements AuthChange {}

    /** etcd's RoleAdd. */
    record RoleAdd(String name) implements AuthChange {}

    /** etcd's RoleDelete. */
    record RoleDelete(String name) implements AuthChange {}

    /** etcd's RoleGrantPermission. */
    record RoleGrantPermission(String role, Permission permission) implements AuthChange {}

    /** etcd's RoleRevokePermission. */
    record RoleRevokePermission(String role, Bytes key, Bytes rangeEnd) implements AuthChange {}

    /**
     * etcd's InternalAuthenticateRequest: a simple token handed out by one member, recorded by every
     * member when applied, so the token works on all of them. Changes no state that is persisted.
     */
    record SimpleToken(String user, String token) implements AuthChange {
        @Override
        public String toString() {
            return "SimpleToken[user=" + user + "]";
        }
    }
}
