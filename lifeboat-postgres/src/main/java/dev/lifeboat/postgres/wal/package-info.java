/**
 * WAL: value types (LSNs, segment names, timeline histories), streaming over the physical replication
 * protocol, and checks of WAL files against their names.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.postgres.wal;
