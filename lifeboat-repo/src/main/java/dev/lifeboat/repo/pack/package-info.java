/**
 * Pack files: blobs followed by a sealed header that lists them.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.repo.pack;
