/**
 * X.509 certificate and private-key discovery for certificates backups.
 *
 * <p>Internal to Lifeboat: no compatibility promise is made for these types.
 */
package dev.lifeboat.engine.certs;
