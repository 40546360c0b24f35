/**
 * Copies snapshots between repositories (off-site copies), re-encrypting under the destination's key.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.repo.copy;
