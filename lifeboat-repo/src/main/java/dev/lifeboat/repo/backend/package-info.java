/**
 * Storage backends behind one small contract (atomic put, create-if-absent, ranged get, list).
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.repo.backend;
