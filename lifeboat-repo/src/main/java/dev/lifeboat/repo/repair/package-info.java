/**
 * Repairs of a damaged repository: the index rebuilt from pack headers, snapshots rewritten without
 * references to missing data.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.repo.repair;
