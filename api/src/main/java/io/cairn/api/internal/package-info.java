/** Helpers shared by the packages of io.cairn.api; not exported, not API. */
package io.cairn.api.internal;
