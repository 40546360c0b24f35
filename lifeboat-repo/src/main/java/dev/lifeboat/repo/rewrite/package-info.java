/**
 * Rewriting snapshots: new tags, or a tree without some nodes (erasure, repair).
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.repo.rewrite;
