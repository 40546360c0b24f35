/**
 * The blob index: index objects on storage and the compact in-memory table.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.repo.index;
