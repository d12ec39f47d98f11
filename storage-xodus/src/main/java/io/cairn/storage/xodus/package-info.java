/** The {@code xodus} storage provider: a Cairn {@code Backend} on a JetBrains Xodus environment. */
package io.cairn.storage.xodus;
