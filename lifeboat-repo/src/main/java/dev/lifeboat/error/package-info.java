/**
 * The error type every module throws for user-facing failures, and the exit statuses they map to.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.error;
