/** The auth service: users, roles and key-range permissions, after etcd's Auth service. */
package io.cairn.api.auth;
