/**
 * Sample data for the quickstart.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.engine.quickstart;
