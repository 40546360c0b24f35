/**
 * Retention: which snapshots a policy keeps and why, with safety rules no policy overrides.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.engine.retention;
