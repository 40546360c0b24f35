/** Prune: removing data no snapshot needs, in crash-safe write order. Internal: no compatibility promise. */
package dev.lifeboat.repo.prune;
