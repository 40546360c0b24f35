/**
 * The repository: opening, writing blobs, reading them back; the format is specified in docs/repository-format.md.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.repo;
