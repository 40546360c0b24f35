package dev.lifeboat.repo.snapshot;

import java.util.Comparator;

/**
 * The order of nodes in a tree stream: depth-first, children sorted by name, which is the order of
 * comparing paths component by component. Backups walk in this order and diff merges in it.
 */
public final class PathOrder implements Comparator<String> {
    public static final PathOrder INSTANCE = new PathOrder();

    private PathOrder() {
    }

    @Override
    public int compare(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int xe = x.indexOf('/', i);
            int ye = y.indexOf('/', j);
            if (xe < 0) {
                xe = x.length();
            }
            if (ye < 0) {
                ye = y.length();
            }
            int c = compareNames(x, i, xe, y, j, ye);
            if (c != 0) {
                return c;
            }
            i = xe + 1;
            j = ye + 1;
        }
        return Integer.compare(x.length() - i, y.length() - j);
    }

    /**
     * {@code x.substring(i, xe).compareTo(y.substring(j, ye))} without the two strings: backups compare paths for
     * every node they write and every child they sort.
     */
    private static int compareNames(String x, int i, int xe, String y, int j, int ye) {
        int n = Math.min(xe - i, ye - j);
        for (int k = 0; k < n; k++) {
            char a = x.charAt(i + k);
            char b = y.charAt(j + k);
            if (a != b) {
                return a - b;
            }
        }
        return (xe - i) - (ye - j);
    }
}
