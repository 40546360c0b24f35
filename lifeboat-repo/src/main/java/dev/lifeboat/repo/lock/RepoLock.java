package dev.lifeboat.repo.lock;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.ObjectInfo;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.crypto.MasterKey;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A lease on the repository. Shared locks (backups, restores, checks) coexist; an exclusive lock
 * (prune, key removal) excludes all others. The lease is refreshed in the background every third of
 * its length by writing a new lock object and deleting the old one, so a crashed process's lock
 * expires on its own; a lock of a dead process on this host is recognised as stale at once.
 */
public final class RepoLock implements AutoCloseable {
    public static final Duration LEASE = Duration.ofSeconds(120);
    private final Backend backend;
    private final LockInfo info;
    private final ScheduledExecutorService refresher;
    private volatile ObjectName current;

    private RepoLock(Backend backend, LockInfo info, ObjectName current) {
        this.backend = backend;
        this.info = info;
        this.current = current;
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lifeboat-lock-refresh");
            t.setDaemon(true);
            return t;
        });
        long period = LEASE.toSeconds() / 3;
        refresher.scheduleAtFixedRate(this::refresh, period, period, TimeUnit.SECONDS);
    }

    public static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /**
     * Takes a lock, waiting up to {@code wait} for conflicting locks to go away.
     *
     * @throws LifeboatException with code LOCKED when a live conflicting lock remains
     */
    public static RepoLock acquire(Backend backend, boolean exclusive, String command, Duration wait) {
        if (exclusive) {
            return acquireExclusive(backend, command, wait);
        }
        Instant deadline = Instant.now().plus(wait);
        while (true) {
            Instant now = Instant.now();
            ProcessHandle self = ProcessHandle.current();
            LockInfo info = new LockInfo(exclusive, command, hostname(), System.getProperty("user.name"),
                    self.pid(), self.info().startInstant().orElse(null), now, now, LEASE.toSeconds());
            ObjectName name = newName();
            backend.put(name, Json.bytes(info));
            LockInfo conflict = findConflict(backend, name, exclusive);
            if (conflict == null) {
                return new RepoLock(backend, info, name);
            }
            backend.delete(name);
            if (Instant.now().isAfter(deadline)) {
                throw new LifeboatException(ErrorCode.LOCKED, "repository '" + backend.location() + "' is locked: "
                        + conflict.describe(),
                        "wait for it to finish (or pass --lock-wait), or run 'lifeboat unlock' if that process is gone");
            }
            sleep(Math.min(2000, Math.max(100, Duration.between(Instant.now(), deadline).toMillis())));
        }
    }

    /**
     * Takes an exclusive lock with preference over shared ones: the lock object stays in place (its lease
     * renewed) while it waits, so new shared locks back off and the ones held drain; otherwise a stream of
     * overlapping backups could keep a prune waiting forever. Of two waiting exclusive locks the older
     * (by creation time, then host and process) goes first, so they never wait for each other.
     */
    private static RepoLock acquireExclusive(Backend backend, String command, Duration wait) {
        Instant deadline = Instant.now().plus(wait);
        ProcessHandle self = ProcessHandle.current();
        Instant created = Instant.now();
        LockInfo info = new LockInfo(true, command, hostname(), System.getProperty("user.name"), self.pid(),
                self.info().startInstant().orElse(null), created, created, LEASE.toSeconds());
        ObjectName name = newName();
        backend.put(name, Json.bytes(info));
        Instant renewed = created;
        while (true) {
            LockInfo conflict = findConflictWaiting(backend, name, info);
            if (conflict == null) {
                return new RepoLock(backend, info, name);
            }
            if (Instant.now().isAfter(deadline)) {
                backend.delete(name);
                throw new LifeboatException(ErrorCode.LOCKED, "repository '" + backend.location() + "' is locked: "
                        + conflict.describe(),
                        "wait for it to finish (or pass --lock-wait), or run 'lifeboat unlock' if that process is gone");
            }
            sleep(Math.min(1000, Math.max(100, Duration.between(Instant.now(), deadline).toMillis())));
            if (Duration.between(renewed, Instant.now()).compareTo(LEASE.dividedBy(3)) > 0) {
                renewed = Instant.now();
                info = new LockInfo(true, command, info.hostname(), info.username(), info.pid(), info.processStart(),
                        created, renewed, LEASE.toSeconds());
                ObjectName next = newName();
                backend.put(next, Json.bytes(info));
                backend.delete(name);
                name = next;
            }
        }
    }

    /** A live lock an exclusive lock waiting as {@code mine} must wait for: any but younger exclusive ones. */
    private static LockInfo findConflictWaiting(Backend backend, ObjectName own, LockInfo mine) {
        String host = hostname();
        Instant now = Instant.now();
        for (Held held : list(backend)) {
            if (held.name().equals(own) || held.info() == null || held.info().isStale(now, host)) {
                continue;
            }
            if (held.info().exclusive() && younger(held.info(), mine)) {
                continue;
            }
            return held.info();
        }
        return null;
    }

    private static boolean younger(LockInfo a, LockInfo b) {
        int byTime = a.created().compareTo(b.created());
        if (byTime != 0) {
            return byTime > 0;
        }
        return (a.hostname() + "/" + a.pid()).compareTo(b.hostname() + "/" + b.pid()) > 0;
    }

    private static ObjectName newName() {
        return new ObjectName(ObjectKind.LOCK, HexFormat.of().formatHex(MasterKey.randomBytes(16)));
    }

    private static LockInfo findConflict(Backend backend, ObjectName own, boolean exclusive) {
        String host = hostname();
        Instant now = Instant.now();
        for (Held held : list(backend)) {
            if (held.name().equals(own) || held.info() == null) {
                continue;
            }
            if (held.info().isStale(now, host)) {
                continue;
            }
            if (exclusive || held.info().exclusive()) {
                return held.info();
            }
        }
        return null;
    }

    /** A lock object and its content (null when unreadable). */
    public record Held(ObjectName name, LockInfo info) {
    }

    public static List<Held> list(Backend backend) {
        List<ObjectInfo> names = new ArrayList<>();
        backend.list(ObjectKind.LOCK, names::add);
        List<Held> out = new ArrayList<>();
        for (ObjectInfo o : names) {
            try {
                out.add(new Held(o.name(), Json.read(backend.get(o.name()), LockInfo.class, "lock")));
            } catch (LifeboatException e) {
                if (e.code() == ErrorCode.INTEGRITY) {
                    out.add(new Held(o.name(), null));
                } else if (e.code() != ErrorCode.NOT_FOUND) {
                    throw e;
                }
            }
        }
        return out;
    }

    /**
     * Removes stale locks (or all locks when {@code all}).
     *
     * @return the locks removed
     */
    public static List<Held> removeLocks(Backend backend, boolean all) {
        String host = hostname();
        Instant now = Instant.now();
        List<Held> removed = new ArrayList<>();
        for (Held held : list(backend)) {
            if (all || held.info() == null || held.info().isStale(now, host)) {
                backend.delete(held.name());
                removed.add(held);
            }
        }
        return removed;
    }

    private void refresh() {
        try {
            Instant now = Instant.now();
            LockInfo fresh = new LockInfo(info.exclusive(), info.command(), info.hostname(), info.username(),
                    info.pid(), info.processStart(), info.created(), now, info.leaseSeconds());
            ObjectName next = newName();
            backend.put(next, Json.bytes(fresh));
            ObjectName old = current;
            current = next;
            backend.delete(old);
        } catch (RuntimeException e) {
            // the next refresh tries again; the lease is three refresh periods long
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted while waiting for a lock");
        }
    }

    @Override
    public void close() {
        // a command stopped by an interrupt still releases its lock: storage I/O on an interrupted thread fails
        boolean interrupted = Thread.interrupted();
        try {
            refresher.shutdownNow();
            refresher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        try {
            backend.delete(current);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
