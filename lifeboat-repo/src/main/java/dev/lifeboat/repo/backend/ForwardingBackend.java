package dev.lifeboat.repo.backend;

import java.nio.file.Path;
import java.util.function.Consumer;

/** A backend that passes every call on to another: the base of wrappers (retry, append-only, fault injection). */
public class ForwardingBackend implements Backend {
    protected final Backend delegate;

    public ForwardingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    @Override
    public String location() {
        return delegate.location();
    }

    @Override
    public boolean isInitialized() {
        return delegate.isInitialized();
    }

    @Override
    public void put(ObjectName name, byte[] data) {
        delegate.put(name, data);
    }

    /**
     * Reads the file and stores it through {@link #put(ObjectName, byte[])}, so that a wrapper that only
     * overrides {@code put} still sees every write; wrappers that need not see the bytes forward it.
     */
    @Override
    public void putFile(ObjectName name, Path file) {
        put(name, Backend.readSpool(file));
    }

    @Override
    public Path spoolDirectory() {
        return delegate.spoolDirectory();
    }

    @Override
    public int preferredReadSize() {
        return delegate.preferredReadSize();
    }

    @Override
    public boolean create(ObjectName name, byte[] data) {
        return delegate.create(name, data);
    }

    @Override
    public byte[] get(ObjectName name) {
        return delegate.get(name);
    }

    @Override
    public byte[] getRange(ObjectName name, long offset, int length) {
        return delegate.getRange(name, offset, length);
    }

    @Override
    public boolean exists(ObjectName name) {
        return delegate.exists(name);
    }

    @Override
    public long size(ObjectName name) {
        return delegate.size(name);
    }

    @Override
    public void delete(ObjectName name) {
        delegate.delete(name);
    }

    @Override
    public void list(ObjectKind kind, Consumer<ObjectInfo> each) {
        delegate.list(kind, each);
    }

    @Override
    public Retention retention(ObjectName name) {
        return delegate.retention(name);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
