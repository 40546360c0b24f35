package dev.lifeboat.repo.backend;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;

/** Raised by a backend when the object asked for does not exist. */
public class ObjectNotFoundException extends LifeboatException {
    private final ObjectName name;

    public ObjectNotFoundException(ObjectName name) {
        super(ErrorCode.NOT_FOUND, "object '" + name.path() + "' does not exist");
        this.name = name;
    }

    public ObjectName name() {
        return name;
    }
}
