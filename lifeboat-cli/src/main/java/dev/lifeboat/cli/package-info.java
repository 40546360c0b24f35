/**
 * The command line: one class per command; no logic the daemon would also need.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.cli;
