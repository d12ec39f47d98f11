/** The watch service: streams of key changes, after etcd's bidirectional Watch service. */
package io.cairn.api.watch;
