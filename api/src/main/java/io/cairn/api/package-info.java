/** The entry point {@link io.cairn.api.Cairn}, the types every service shares (keys, headers, errors) and the stability marks. */
package io.cairn.api;
