package dev.lifeboat.repo.backend;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A backend that keeps objects in memory: fast unit tests and the reference for the contract. */
public final class MemoryBackend implements Backend {
    private final Map<ObjectName, byte[]> objects = new ConcurrentHashMap<>();

    @Override
    public String location() {
        return "memory:";
    }

    @Override
    public void put(ObjectName name, byte[] data) {
        objects.put(name, data.clone());
    }

    @Override
    public boolean create(ObjectName name, byte[] data) {
        return objects.putIfAbsent(name, data.clone()) == null;
    }

    @Override
    public byte[] get(ObjectName name) {
        byte[] data = objects.get(name);
        if (data == null) {
            throw new ObjectNotFoundException(name);
        }
        return data.clone();
    }

    @Override
    public byte[] getRange(ObjectName name, long offset, int length) {
        byte[] data = get(name);
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw new LifeboatException(ErrorCode.INTEGRITY, "range " + offset + "+" + length + " is outside '"
                    + name + "' of " + data.length + " bytes", "run 'lifeboat check' to find damaged objects");
        }
        return Arrays.copyOfRange(data, (int) offset, (int) offset + length);
    }

    @Override
    public boolean exists(ObjectName name) {
        return objects.containsKey(name);
    }

    @Override
    public long size(ObjectName name) {
        return get(name).length;
    }

    @Override
    public void delete(ObjectName name) {
        objects.remove(name);
    }

    @Override
    public void list(ObjectKind kind, Consumer<ObjectInfo> each) {
        List<Map.Entry<ObjectName, byte[]>> snapshot = objects.entrySet().stream()
                .filter(e -> e.getKey().kind() == kind).toList();
        for (Map.Entry<ObjectName, byte[]> e : snapshot) {
            each.accept(new ObjectInfo(e.getKey(), e.getValue().length));
        }
    }

    /** Replaces an object's bytes in place, bypassing immutability: for tests that simulate damage. */
    public void corrupt(ObjectName name, byte[] data) {
        objects.put(name, data.clone());
    }
}
