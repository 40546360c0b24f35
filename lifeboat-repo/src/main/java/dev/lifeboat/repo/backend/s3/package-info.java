/**
 * The S3 backend: repository objects as keys under a prefix of an S3 (or S3-compatible) bucket.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.repo.backend.s3;
