/**
 * File-tree sources (files, config, certificates): backup, restore, diff.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.engine.files;
