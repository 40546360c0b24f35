package dev.lifeboat.repo.wal;

import com.github.luben.zstd.Zstd;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * WAL in the repository: each segment, partial segment and timeline history file is one object
 * {@code wal/<system id>-<file name>}, compressed and sealed together with the system identifier, file
 * name and the time it was stored, so a segment can never be served to another cluster or under another
 * name, and a restore knows how recent the newest WAL is.
 *
 * <p>Complete segments and history files are immutable: storing one again with the same content succeeds,
 * with different content is refused. A partial segment ({@code <segment>.partial}) is replaced as it grows
 * and deleted once the complete segment is stored.
 */
public final class WalStore {
    /**
     * zstd level of complete segments and history files, stored once: pgBackRest's default (3); on six
     * 16 MiB segments of pgbench WAL 8.3 MB against 10.2 MB at level 1.
     */
    private static final int SEGMENT_LEVEL = 3;
    /** zstd level of the partial segment, stored every half second while WAL flows: speed over size. */
    private static final int PARTIAL_LEVEL = 1;
    private static final byte[] MAGIC = "LBWL".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final Pattern SYSID = Pattern.compile("[0-9]{1,20}");
    private static final Pattern FILE =
            Pattern.compile("[0-9A-F]{24}(\\.partial)?|[0-9A-F]{8}\\.history|[0-9A-F]{24}\\.[0-9A-F]{8}\\.backup");
    private final Repository repo;

    public WalStore(Repository repo) {
        this.repo = repo;
    }

    /** What storing did. */
    public enum Stored { NEW, ALREADY_PRESENT }

    private static ObjectName name(String sysid, String file) {
        if (!SYSID.matcher(sysid).matches()) {
            throw new IllegalArgumentException("invalid system identifier '" + sysid + "'");
        }
        if (!FILE.matcher(file).matches()) {
            throw LifeboatException.usage("'" + file + "' is not a WAL segment or history file name",
                    "WAL files are named like 000000010000000000000003, 00000002.history or "
                            + "000000010000000000000003.00000028.backup");
        }
        return new ObjectName(ObjectKind.WAL, sysid + "-" + file);
    }

    public static boolean isPartial(String file) {
        return file.endsWith(".partial");
    }

    /**
     * Stores a complete segment or history file; durable when this returns.
     *
     * @throws LifeboatException with code INTEGRITY when the repository already holds different content
     */
    public Stored put(String sysid, String file, byte[] content) {
        if (isPartial(file)) {
            throw new IllegalArgumentException("use putPartial for partial segments");
        }
        ObjectName name = name(sysid, file);
        byte[] sealed = encode(sysid, file, content, SEGMENT_LEVEL);
        if (repo.backend().create(name, sealed)) {
            return Stored.NEW;
        }
        byte[] existing = get(sysid, file);
        if (!Arrays.equals(existing, content)) {
            throw new LifeboatException(ErrorCode.INTEGRITY, "the repository already holds WAL file '" + file
                    + "' of cluster " + sysid + " with different content",
                    "two servers with the same system identifier archive into one repository, or the file is damaged; "
                            + "give each cluster its own repository and check the server's WAL");
        }
        return Stored.ALREADY_PRESENT;
    }

    /** Stores (replaces) the partial segment {@code segment}.partial. */
    public void putPartial(String sysid, String segment, byte[] content) {
        String file = segment + ".partial";
        repo.backend().put(name(sysid, file), encode(sysid, file, content, PARTIAL_LEVEL));
    }

    public void deletePartial(String sysid, String segment) {
        repo.backend().delete(name(sysid, segment + ".partial"));
    }

    public boolean exists(String sysid, String file) {
        return repo.backend().exists(name(sysid, file));
    }

    /** Reads a WAL file, checking that it was stored for this cluster under this name. */
    public byte[] get(String sysid, String file) {
        return read(sysid, file).content();
    }

    /** A WAL file's content and when it was stored. */
    public record Entry(byte[] content, Instant storedAt) {
    }

    public Entry read(String sysid, String file) {
        ObjectName name = name(sysid, file);
        byte[] plain = repo.key().open(repo.backend().get(name), "WAL file '" + file + "'");
        return decode(plain, sysid, file);
    }

    /** The WAL file names stored for a cluster, sorted. */
    public List<String> list(String sysid) {
        String prefix = sysid + "-";
        List<String> out = new ArrayList<>();
        repo.backend().list(ObjectKind.WAL, info -> {
            String n = info.name().name();
            if (n.startsWith(prefix)) {
                out.add(n.substring(prefix.length()));
            }
        });
        out.sort(null);
        return out;
    }

    /** The system identifiers of every cluster with WAL in the repository. */
    public List<String> clusters() {
        List<String> out = new ArrayList<>();
        repo.backend().list(ObjectKind.WAL, info -> {
            String n = info.name().name();
            int dash = n.indexOf('-');
            if (dash > 0 && !out.contains(n.substring(0, dash))) {
                out.add(n.substring(0, dash));
            }
        });
        out.sort(null);
        return out;
    }

    private byte[] encode(String sysid, String file, byte[] content, int level) {
        byte[] packed = Zstd.compress(content, level);
        boolean compressed = packed.length < content.length;
        byte[] payload = compressed ? packed : content;
        byte[] fileBytes = file.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(4 + 1 + 1 + 8 + 8 + 1 + fileBytes.length + 4 + payload.length);
        b.put(MAGIC).put((byte) VERSION).put((byte) (compressed ? 1 : 0)).putLong(System.currentTimeMillis())
                .putLong(Long.parseUnsignedLong(sysid))
                .put((byte) fileBytes.length).put(fileBytes).putInt(content.length).put(payload);
        return repo.key().seal(b.array());
    }

    private static Entry decode(byte[] plain, String sysid, String file) {
        String what = "WAL file '" + file + "'";
        try {
            ByteBuffer b = ByteBuffer.wrap(plain);
            byte[] magic = new byte[4];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC) || b.get() != VERSION) {
                throw LifeboatException.integrity(what + " is not a version 1 WAL object");
            }
            boolean compressed = b.get() == 1;
            Instant storedAt = Instant.ofEpochMilli(b.getLong());
            String storedSysid = Long.toUnsignedString(b.getLong());
            byte[] name = new byte[b.get() & 0xff];
            b.get(name);
            int rawLength = b.getInt();
            if (!storedSysid.equals(sysid) || !new String(name, StandardCharsets.US_ASCII).equals(file)) {
                throw new LifeboatException(ErrorCode.CLUSTER_MISMATCH, what + " was stored for cluster " + storedSysid
                        + " as '" + new String(name, StandardCharsets.US_ASCII) + "'", "the object was moved or renamed");
            }
            byte[] payload = new byte[b.remaining()];
            b.get(payload);
            if (!compressed) {
                if (payload.length != rawLength) {
                    throw LifeboatException.integrity(what + " has the wrong length");
                }
                return new Entry(payload, storedAt);
            }
            byte[] out = new byte[rawLength];
            long n = Zstd.decompressByteArray(out, 0, rawLength, payload, 0, payload.length);
            if (n != rawLength) {
                throw LifeboatException.integrity(what + " decompressed to the wrong length");
            }
            return new Entry(out, storedAt);
        } catch (java.nio.BufferUnderflowException | com.github.luben.zstd.ZstdException e) {
            throw LifeboatException.integrity(what + " is truncated or damaged");
        }
    }
}
