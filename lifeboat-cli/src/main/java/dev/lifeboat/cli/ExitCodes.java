package dev.lifeboat.cli;

import dev.lifeboat.error.ErrorCode;

import java.util.LinkedHashMap;
import java.util.Map;

/** The documented exit statuses, shown in every command's help. */
final class ExitCodes {
    private ExitCodes() {
    }

    static Map<String, String> list() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("0", "success");
        for (ErrorCode c : ErrorCode.values()) {
            m.put(Integer.toString(c.exitStatus()), describe(c));
        }
        return m;
    }

    private static String describe(ErrorCode c) {
        return switch (c) {
            case FAILURE -> "failure";
            case USAGE -> "bad command-line or configuration input";
            case INCOMPLETE -> "finished, but some files could not be read";
            case NO_REPOSITORY -> "no repository at the given location";
            case LOCKED -> "repository locked by another process";
            case WRONG_PASSWORD -> "wrong password";
            case INTEGRITY -> "integrity failure: damaged or missing data";
            case NOT_FOUND -> "snapshot, key or object not found";
            case CLUSTER_MISMATCH -> "backup belongs to another PostgreSQL cluster";
            case STORAGE_TRANSIENT -> "storage error that may pass when retried";
            case STORAGE_PERMANENT -> "storage refused the request (permissions, space)";
            case ALREADY_EXISTS -> "target already exists";
            case DATABASE -> "PostgreSQL unreachable, login refused, or client program missing or too old";
            case VERIFICATION -> "restored data failed verification (row counts or checks differ)";
            case INTERRUPTED -> "interrupted";
        };
    }
}
