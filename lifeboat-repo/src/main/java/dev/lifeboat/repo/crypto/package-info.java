/**
 * Master key, sealing (AES-256-GCM), blob ids (HMAC-SHA256) and password-wrapped key files (Argon2id).
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.repo.crypto;
