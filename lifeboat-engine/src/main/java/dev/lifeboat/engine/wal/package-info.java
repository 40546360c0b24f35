/**
 * Continuous WAL in the repository: streaming from a replication slot, archive_command and restore_command
 * (push and fetch, directly or through a spool folder), and continuity checks per timeline.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.engine.wal;
