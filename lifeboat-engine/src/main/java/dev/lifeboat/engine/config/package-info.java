/**
 * Configuration settings, declared once, read from lifeboat.yml and the environment.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.engine.config;
