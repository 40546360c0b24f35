/**
 * Content-defined chunking (FastCDC).
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.repo.chunker;
