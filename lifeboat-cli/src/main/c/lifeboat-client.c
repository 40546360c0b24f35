/*
 * The native client of a resident Lifeboat process: the same wire format and behaviour as
 * dev.lifeboat.cli.ResidentClient (see Resident.java), without starting a JVM for it (0.09 s warm and
 * 0.22 s with an empty page cache for the JVM client, against a few milliseconds).
 *
 * Usage: lifeboat-client SOCKET ARG...
 *
 * It hands the command line, the environment, the working directory and the terminal flag to the process
 * listening on SOCKET, copies the command's output, and exits with its status. It exits with 254, having
 * printed nothing, when there is no process to talk to, or it did not take the command, or declined it
 * before any output: the launcher then runs the command in a fresh JVM. It exits with 253, having sent
 * nothing, when the request would not reach the process as the JVM client's would: the working directory,
 * an argument or an environment value has non-ASCII bytes and the locale's charset is not UTF-8 (the JVM
 * decodes them with that charset); the launcher then uses the JVM client. On SIGINT, SIGTERM or SIGHUP it
 * tells the process (which interrupts the command), prints what the command says as it stops for up to
 * 10 s, and exits with 128 + the signal's number, as the JVM client does; a signal ignored when it started
 * (nohup, trap '' INT) stays ignored, as it does for the JVM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DECLINED_STATUS 254
#define USE_JVM_CLIENT_STATUS 253
#define MAGIC 0x4c425231u
#define KIND_RUN 1
#define FRAME_OUT 1
#define FRAME_ERR 2
#define FRAME_EXIT 3
#define FRAME_DECLINE 4
#define FRAME_ACCEPTED 5
#define MAX_FRAME (1 << 20)
#define SIGNAL_GRACE_SECONDS 10

extern char **environ;

/* What the client forwards to the process as Ctrl-C (and sends no request on, while connecting). */
static const int STOP_SIGNALS[] = {SIGINT, SIGTERM, SIGHUP};
#define STOP_SIGNAL_COUNT (sizeof STOP_SIGNALS / sizeof STOP_SIGNALS[0])

static volatile sig_atomic_t signalled = 0;
static int sock = -1;

/* A growing buffer for the request. */
struct buf {
    unsigned char *data;
    size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) {
            cap *= 2;
        }
        unsigned char *d = realloc(b->data, cap);
        if (d == NULL) {
            exit(DECLINED_STATUS);
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void be32(unsigned char *at, uint32_t v) {
    at[0] = (unsigned char) (v >> 24);
    at[1] = (unsigned char) (v >> 16);
    at[2] = (unsigned char) (v >> 8);
    at[3] = (unsigned char) v;
}

static uint32_t get32(const unsigned char *at) {
    return (uint32_t) at[0] << 24 | (uint32_t) at[1] << 16 | (uint32_t) at[2] << 8 | at[3];
}

static void put_int(struct buf *b, uint32_t v) {
    unsigned char be[4];
    be32(be, v);
    put(b, be, 4);
}

static void put_bytes(struct buf *b, const char *s, size_t n) {
    put_int(b, (uint32_t) n);
    put(b, s, n);
}

static void on_signal(int sig) {
    int saved = errno;
    if (!signalled) {
        signalled = sig;
        if (sock >= 0) {
            shutdown(sock, SHUT_WR);
        }
        alarm(SIGNAL_GRACE_SECONDS);
    }
    errno = saved;
}

static void on_alarm(int sig) {
    (void) sig;
    _exit(128 + signalled);
}

/* Reads exactly n bytes; 0 on success, -1 on end of stream or error (errno 0 for the end). */
static int read_fully(void *p, size_t n) {
    unsigned char *c = p;
    while (n > 0) {
        ssize_t r = read(sock, c, n);
        if (r == 0) {
            errno = 0;
            return -1;
        }
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        c += r;
        n -= (size_t) r;
    }
    return 0;
}

/* Writes all bytes, ignoring failures as the JVM client's PrintStream does (a closed pipe loses output only). */
static void write_all(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return;
        }
        p += w;
        n -= (size_t) w;
    }
}

static int terminal(void) {
    const char *term = getenv("TERM");
    return isatty(0) && isatty(1) && term != NULL && strcmp(term, "dumb") != 0;
}

/* The socket's folder must be the user's own and closed to others: the request carries the environment. */
static int private_folder(const char *socket_path) {
    char dir[PATH_MAX];
    size_t n = strlen(socket_path);
    if (n >= sizeof dir) {
        return 0;
    }
    memcpy(dir, socket_path, n + 1);
    char *slash = strrchr(dir, '/');
    if (slash == NULL) {
        strcpy(dir, ".");
    } else if (slash == dir) {
        dir[1] = '\0';
    } else {
        *slash = '\0';
    }
    struct stat st;
    return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 077) == 0;
}

static int connect_to(const char *socket_path) {
    struct sockaddr_un addr;
    if (strlen(socket_path) >= sizeof addr.sun_path || !private_folder(socket_path)) {
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    strcpy(addr.sun_path, socket_path);
    struct ucred peer;
    socklen_t len = sizeof peer;
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0
        || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.uid != geteuid()) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * The status of a conversation that broke off: 254, having printed nothing, before the process took the command
 * (the launcher then runs it itself); after that 1, saying so, as the JVM client does.
 */
static int broken(int accepted, const char *socket_path, const char *why) {
    if (!accepted) {
        return DECLINED_STATUS;
    }
    fprintf(stderr, "lifeboat: lost the resident process while it ran the command (%s)\n", why);
    fprintf(stderr, "HINT: see its log beside '%s'; 'lifeboat resident status' says whether it runs\n", socket_path);
    return 1;
}

/* Why read_fully failed. */
static const char *read_failure(void) {
    return errno == 0 ? "it stopped" : strerror(errno);
}

static int has_high_bytes(const char *s) {
    for (; *s != '\0'; s++) {
        if ((unsigned char) *s >= 0x80) {
            return 1;
        }
    }
    return 0;
}

/*
 * Whether the JVM would decode the request's strings as UTF-8, as this client sends them: always for ASCII,
 * else only in a UTF-8 locale.
 */
static int same_strings_as_jvm(const char *cwd, int argc, char **argv) {
    int high = has_high_bytes(cwd);
    for (int i = 0; i < argc && !high; i++) {
        high = has_high_bytes(argv[i]);
    }
    for (char **e = environ; *e != NULL && !high; e++) {
        high = has_high_bytes(*e);
    }
    if (!high) {
        return 1;
    }
    setlocale(LC_CTYPE, "");
    const char *codeset = nl_langinfo(CODESET);
    return strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0;
}

static int run(const char *socket_path, int argc, char **argv) {
    char *cwd = getcwd(NULL, 0);
    if (cwd == NULL) {
        return DECLINED_STATUS;
    }
    if (!same_strings_as_jvm(cwd, argc, argv)) {
        return USE_JVM_CLIENT_STATUS;
    }
    // a signal while connecting finds the socket set, so the request is never sent
    sigset_t stop, before;
    sigemptyset(&stop);
    for (size_t i = 0; i < STOP_SIGNAL_COUNT; i++) {
        sigaddset(&stop, STOP_SIGNALS[i]);
    }
    sigprocmask(SIG_BLOCK, &stop, &before);
    sock = connect_to(socket_path);
    sigprocmask(SIG_SETMASK, &before, NULL);
    if (sock < 0 || signalled) {
        return DECLINED_STATUS;
    }
    struct buf req = {0};
    put_int(&req, MAGIC);
    unsigned char kind = KIND_RUN;
    put(&req, &kind, 1);
    put_bytes(&req, cwd, strlen(cwd));
    unsigned char tty = (unsigned char) terminal();
    put(&req, &tty, 1);
    // the count goes before the entries: written once they are
    size_t count_at = req.len;
    uint32_t count = 0;
    put_int(&req, 0);
    for (char **e = environ; *e != NULL; e++) {
        char *eq = strchr(*e, '=');
        if (eq != NULL) {
            put_bytes(&req, *e, (size_t) (eq - *e));
            put_bytes(&req, eq + 1, strlen(eq + 1));
            count++;
        }
    }
    be32(req.data + count_at, count);
    put_int(&req, (uint32_t) argc);
    for (int i = 0; i < argc; i++) {
        put_bytes(&req, argv[i], strlen(argv[i]));
    }
    for (size_t off = 0; off < req.len;) {
        ssize_t w = send(sock, req.data + off, req.len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return DECLINED_STATUS;
        }
        off += (size_t) w;
    }
    free(req.data);

    int accepted = 0, printed = 0;
    unsigned char *frame = malloc(MAX_FRAME);
    if (frame == NULL) {
        return DECLINED_STATUS;
    }
    for (;;) {
        unsigned char head[5];
        if (read_fully(head, sizeof head) != 0) {
            return broken(accepted, socket_path, read_failure());
        }
        uint32_t n = get32(head + 1);
        if (n > MAX_FRAME) {
            return broken(accepted, socket_path, "bad frame length");
        }
        if (read_fully(frame, n) != 0) {
            return broken(accepted, socket_path, read_failure());
        }
        switch (head[0]) {
            case FRAME_ACCEPTED:
                accepted = 1;
                break;
            case FRAME_OUT:
                printed = 1;
                write_all(1, frame, n);
                break;
            case FRAME_ERR:
                printed = 1;
                write_all(2, frame, n);
                break;
            case FRAME_EXIT:
                if (n < 4) {
                    return broken(accepted, socket_path, "bad exit frame");
                }
                return (int) get32(frame);
            case FRAME_DECLINE:
                return printed ? broken(accepted, socket_path, "declined after output") : DECLINED_STATUS;
            default:
                return broken(accepted, socket_path, "unknown frame type");
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: lifeboat-client SOCKET ARG...\n");
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < STOP_SIGNAL_COUNT; i++) {
        struct sigaction old;
        if (sigaction(STOP_SIGNALS[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN) {
            sigaction(STOP_SIGNALS[i], &sa, NULL);
        }
    }
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    int status = run(argv[1], argc - 2, argv + 2);
    return signalled ? 128 + signalled : status;
}
