/**
 * Building blocks every peer transport needs alike (the per-member link table), shared by the
 * transport plugins so that each does not keep its own copy.
 */
package io.cairn.spi.transport.peer;
