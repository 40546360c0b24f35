/**
 * Snapshots and their tree streams of nodes.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.repo.snapshot;
