/** The election service: leader election with proclaimed values, after etcd's v3election service. */
package io.cairn.api.election;
