package io.cairn.server.auth;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.auth.Permission;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One version of the auth store: whether auth is enabled, the auth revision, users and roles, as
 * etcd's {@code authStore} keeps them in its {@code auth}, {@code authUsers} and {@code authRoles}
 * buckets. Immutable: {@link #apply} returns the next version, so a permission check reads one
 * consistent version and its revision together.
 *
 * @param enabled whether requests are checked
 * @param revision etcd's auth revision: bumped by every change
 * @param users by name
 * @param roles by name
 */
public record AuthState(boolean enabled, long revision, Map<String, User> users, Map<String, Role> roles) {

    /** etcd's root user and role names. */
    public static final String ROOT = "root";

    /** A user: its password hash (empty without a password) and its roles, sorted. */
    public record User(String name, String passwordHash, boolean noPassword, List<String> roles) {
        public User {
            roles = List.copyOf(roles);
        }

        boolean hasRole(String role) {
            return roles.contains(role);
        }

        @Override
        public String toString() {
            return "User[name=" + name + ", noPassword=" + noPassword + ", roles=" + roles + "]";
        }
    }

    /** A role and its permissions, sorted by key (then range end), as etcd keeps them. */
    public record Role(String name, List<Permission> permissions) {
        public Role {
            permissions = List.copyOf(permissions);
        }
    }

    private static final Comparator<Permission> BY_KEY =
            Comparator.comparing(Permission::key).thenComparing(Permission::rangeEnd);

    public AuthState {
        users = java.util.Collections.unmodifiableMap(new TreeMap<>(users));
        roles = java.util.Collections.unmodifiableMap(new TreeMap<>(roles));
    }

    /** The state of a new cluster: auth disabled, no users or roles, revision 1 (etcd starts at 1 too). */
    public static AuthState initial() {
        return new AuthState(false, 1, Map.of(), Map.of());
    }

    // ---- changes --------------------------------------------------------------------------------

    /**
     * The state after {@code change}; this state itself if the change is etcd's no-op (enabling an
     * enabled store, granting a role twice).
     *
     * @throws CairnException with etcd's error when etcd refuses the change
     */
    public AuthState apply(AuthChange change) {
        TreeMap<String, User> u = new TreeMap<>(users);
        TreeMap<String, Role> r = new TreeMap<>(roles);
        boolean on = enabled;
        switch (change) {
            case AuthChange.Enable e -> {
                if (enabled) {
                    return this;
                }
                User root = users.get(ROOT);
                if (root == null) {
                    throw new CairnException(ErrorCode.ROOT_USER_NOT_EXIST);
                }
                if (!root.hasRole(ROOT)) {
                    throw new CairnException(ErrorCode.ROOT_ROLE_NOT_EXIST);
                }
                on = true;
            }
            case AuthChange.Disable d -> {
                if (!enabled) {
                    return this;
                }
                on = false;
            }
            case AuthChange.UserAdd add -> {
                if (add.name().isEmpty()) {
                    throw new CairnException(ErrorCode.USER_EMPTY);
                }
                if (users.containsKey(add.name())) {
                    throw new CairnException(ErrorCode.USER_ALREADY_EXISTS);
                }
                u.put(add.name(), new User(add.name(), add.passwordHash(), add.noPassword(), List.of()));
            }
            case AuthChange.UserDelete delete -> {
                if (enabled && delete.name().equals(ROOT)) {
                    throw new CairnException(ErrorCode.INVALID_AUTH_MGMT);
                }
                if (u.remove(delete.name()) == null) {
                    throw new CairnException(ErrorCode.USER_NOT_FOUND);
                }
            }
            case AuthChange.UserChangePassword change1 -> {
                User user = user(change1.name());
                u.put(user.name(), new User(user.name(), change1.passwordHash(), false, user.roles()));
            }
            case AuthChange.UserGrantRole grant -> {
                User user = user(grant.user());
                if (!grant.role().equals(ROOT) && !roles.containsKey(grant.role())) {
                    throw new CairnException(ErrorCode.ROLE_NOT_FOUND);
                }
                if (user.hasRole(grant.role())) {
                    return this;
                }
                List<String> granted = new ArrayList<>(user.roles());
                granted.add(grant.role());
                granted.sort(null);
                u.put(user.name(), new User(user.name(), user.passwordHash(), user.noPassword(), granted));
            }
            case AuthChange.UserRevokeRole revoke -> {
                if (enabled && revoke.user().equals(ROOT) && revoke.role().equals(ROOT)) {
                    throw new CairnException(ErrorCode.INVALID_AUTH_MGMT);
                }
                User user = user(revoke.user());
                if (!user.hasRole(revoke.role())) {
                    throw new CairnException(ErrorCode.ROLE_NOT_GRANTED);
                }
                List<String> left = new ArrayList<>(user.roles());
                left.remove(revoke.role());
                u.put(user.name(), new User(user.name(), user.passwordHash(), user.noPassword(), left));
            }
            case AuthChange.RoleAdd add -> {
                if (add.name().isEmpty()) {
                    throw new CairnException(ErrorCode.ROLE_EMPTY);
                }
                if (roles.containsKey(add.name())) {
                    throw new CairnException(ErrorCode.ROLE_ALREADY_EXISTS);
                }
                r.put(add.name(), new Role(add.name(), List.of()));
            }
            case AuthChange.RoleDelete delete -> {
                if (enabled && delete.name().equals(ROOT)) {
                    throw new CairnException(ErrorCode.INVALID_AUTH_MGMT);
                }
                if (r.remove(delete.name()) == null) {
                    throw new CairnException(ErrorCode.ROLE_NOT_FOUND);
                }
                // etcd takes the deleted role from every user that had it
                for (User user : users.values()) {
                    if (user.hasRole(delete.name())) {
                        List<String> left = new ArrayList<>(user.roles());
                        left.remove(delete.name());
                        u.put(user.name(), new User(user.name(), user.passwordHash(), user.noPassword(), left));
                    }
                }
            }
            case AuthChange.RoleGrantPermission grant -> {
                Role role = role(grant.role());
                List<Permission> perms = new ArrayList<>(role.permissions());
                perms.removeIf(p -> p.key().equals(grant.permission().key())
                        && p.rangeEnd().equals(grant.permission().rangeEnd()));
                perms.add(grant.permission());
                perms.sort(BY_KEY);
                r.put(role.name(), new Role(role.name(), perms));
            }
            case AuthChange.RoleRevokePermission revoke -> {
                Role role = role(revoke.role());
                List<Permission> perms = new ArrayList<>(role.permissions());
                if (!perms.removeIf(p -> p.key().equals(revoke.key()) && p.rangeEnd().equals(revoke.rangeEnd()))) {
                    throw new CairnException(ErrorCode.PERMISSION_NOT_GRANTED);
                }
                r.put(role.name(), new Role(role.name(), perms));
            }
            case AuthChange.SimpleToken token -> {
                return this;
            }
        }
        return new AuthState(on, revision + 1, u, r);
    }

    /** @throws CairnException USER_NOT_FOUND */
    public User user(String name) {
        User user = users.get(name);
        if (user == null) {
            throw new CairnException(ErrorCode.USER_NOT_FOUND);
        }
        return user;
    }

    /** @throws CairnException ROLE_NOT_FOUND */
    public Role role(String name) {
        Role role = roles.get(name);
        if (role == null) {
            throw new CairnException(ErrorCode.ROLE_NOT_FOUND);
        }
        return role;
    }

    // ---- checks ---------------------------------------------------------------------------------

    /**
     * etcd's {@code IsAdminPermitted}: with auth enabled, only a user with the root role.
     *
     * @throws CairnException USER_EMPTY without a user, USER_NOT_FOUND, PERMISSION_DENIED
     */
    public void checkAdmin(String userName) {
        if (!enabled) {
            return;
        }
        if (userName.isEmpty()) {
            throw new CairnException(ErrorCode.USER_EMPTY);
        }
        if (!user(userName).hasRole(ROOT)) {
            throw new CairnException(ErrorCode.PERMISSION_DENIED);
        }
    }

    /**
     * etcd's {@code isOpPermitted}: with auth enabled, whether {@code userName} may read
     * ({@code write} false) or write every key of {@code (key, rangeEnd)} (etcd's range form).
     *
     * @throws CairnException USER_EMPTY without a user, PERMISSION_DENIED otherwise
     */
    public void checkKeys(String userName, Bytes key, Bytes rangeEnd, boolean write) {
        if (!enabled) {
            return;
        }
        if (userName.isEmpty()) {
            throw new CairnException(ErrorCode.USER_EMPTY);
        }
        User user = users.get(userName);
        if (user == null) {
            throw new CairnException(ErrorCode.PERMISSION_DENIED);
        }
        if (user.hasRole(ROOT)) {
            return;
        }
        List<Permission> granted = new ArrayList<>();
        for (String roleName : user.roles()) {
            Role role = roles.get(roleName);
            if (role == null) {
                continue;
            }
            for (Permission p : role.permissions()) {
                boolean allows = p.permType() == Permission.Type.READWRITE
                        || p.permType() == (write ? Permission.Type.WRITE : Permission.Type.READ);
                if (allows) {
                    granted.add(p);
                }
            }
        }
        if (!KeyIntervals.covers(granted, key, rangeEnd)) {
            throw new CairnException(ErrorCode.PERMISSION_DENIED);
        }
    }

    // ---- encoding -------------------------------------------------------------------------------

    /** This state as bytes for the backend (the whole store: it is small). */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeBoolean(enabled);
            out.writeLong(revision);
            out.writeInt(users.size());
            for (User user : users.values()) {
                out.writeUTF(user.name());
                out.writeUTF(user.passwordHash());
                out.writeBoolean(user.noPassword());
                out.writeInt(user.roles().size());
                for (String role : user.roles()) {
                    out.writeUTF(role);
                }
            }
            out.writeInt(roles.size());
            for (Role role : roles.values()) {
                out.writeUTF(role.name());
                out.writeInt(role.permissions().size());
                for (Permission p : role.permissions()) {
                    out.writeByte(p.permType().ordinal());
                    writeBytes(out, p.key());
                    writeBytes(out, p.rangeEnd());
                }
            }
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException if {@code data} is not an encoded state */
    public static AuthState decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readByte();
            if (version != 1) {
                throw new IllegalArgumentException("auth state of unknown version " + version);
            }
            boolean enabled = in.readBoolean();
            long revision = in.readLong();
            Map<String, User> users = new TreeMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                String name = in.readUTF();
                String hash = in.readUTF();
                boolean noPassword = in.readBoolean();
                List<String> roles = new ArrayList<>();
                for (int j = in.readInt(); j > 0; j--) {
                    roles.add(in.readUTF());
                }
                users.put(name, new User(name, hash, noPassword, roles));
            }
            Map<String, Role> roles = new TreeMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                String name = in.readUTF();
                List<Permission> perms = new ArrayList<>();
                for (int j = in.readInt(); j > 0; j--) {
                    Permission.Type type = Permission.Type.values()[in.readByte()];
                    perms.add(new Permission(type, readBytes(in), readBytes(in)));
                }
                roles.put(name, new Role(name, perms));
            }
            return new AuthState(enabled, revision, users, roles);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("malformed auth state: " + e, e);
        }
    }

    private static void writeBytes(DataOutputStream out, Bytes b) throws IOException {
        out.writeInt(b.size());
        out.write(b.toByteArray());
    }

    private static Bytes readBytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return Bytes.of(b);
    }

    @Override
    public String toString() {
        return "AuthState[enabled=" + enabled + ", revision=" + revision + ", users=" + users.keySet()
                + ", roles=" + roles.keySet() + "]";
    }
}
