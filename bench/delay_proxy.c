/* delay_proxy.c - a TCP proxy that holds every chunk of data for a fixed time
 * in each direction, so benchmarks on one machine see the round trips of a
 * hosted database (DELAY_MS each way: 1 ms gives 2 ms more per round trip).
 * Bandwidth is not limited; order is kept; one thread, poll().
 *
 *   delay_proxy DELAY_MS TARGET_HOST TARGET_PORT PORTFILE
 *
 * Listens on 127.0.0.1 at a free port, writes that port to PORTFILE, and
 * forwards every connection to TARGET_HOST:TARGET_PORT until killed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAIRS 512
#define CHUNK 65536

/* One chunk read from one side, due for the other side at `due`. An empty
 * chunk is the end of the stream (the reader saw EOF). */
typedef struct Chunk {
    struct Chunk *next;
    double due;
    size_t len, off;
    char data[];
} Chunk;

/* One direction of a connection: from fd `in` to fd `out`. */
typedef struct {
    int in, out;
    Chunk *head, *tail;
    int eof_read;       /* `in` reached EOF (an empty chunk is queued) */
    int done;           /* the EOF was passed on */
} Flow;

typedef struct {
    int used;
    Flow f[2];          /* client -> server, server -> client */
} Pair;

static Pair pairs[MAX_PAIRS];
static double delay;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void close_pair(Pair *p)
{
    for (int d = 0; d < 2; d++) {
        while (p->f[d].head) {
            Chunk *c = p->f[d].head;
            p->f[d].head = c->next;
            free(c);
        }
    }
    close(p->f[0].in);
    close(p->f[0].out);
    memset(p, 0, sizeof *p);
}

static void enqueue(Flow *f, const char *data, size_t len)
{
    Chunk *c = malloc(sizeof *c + len);
    if (!c)
        abort();
    c->next = NULL;
    c->due = now() + delay;
    c->len = len;
    c->off = 0;
    memcpy(c->data, data, len);
    if (f->tail)
        f->tail->next = c;
    else
        f->head = c;
    f->tail = c;
}

/* Reads what `in` has; returns -1 when the connection must close. */
static int pump_in(Flow *f)
{
    char buf[CHUNK];
    ssize_t n = read(f->in, buf, sizeof buf);
    if (n > 0) {
        enqueue(f, buf, (size_t)n);
    } else if (n == 0) {
        f->eof_read = 1;
        enqueue(f, buf, 0);
    } else if (errno != EAGAIN && errno != EINTR) {
        return -1;
    }
    return 0;
}

/* Writes the chunks that are due; returns -1 when the connection must close. */
static int pump_out(Flow *f, double t)
{
    while (f->head && f->head->due <= t) {
        Chunk *c = f->head;
        if (c->len == 0) {
            shutdown(f->out, SHUT_WR);
            f->done = 1;
        } else {
            ssize_t n = write(f->out, c->data + c->off, c->len - c->off);
            if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -1;
            c->off += (size_t)n;
            if (c->off < c->len)
                return 0;
        }
        f->head = c->next;
        if (!f->head)
            f->tail = NULL;
        free(c);
    }
    return 0;
}

static int connect_target(const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
        close(fd);
        return -1;
    }
    nonblock(fd);
    return fd;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: delay_proxy DELAY_MS TARGET_HOST TARGET_PORT PORTFILE\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    delay = atof(argv[1]) / 1000.0;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *target;
    if (getaddrinfo(argv[2], argv[3], &hints, &target)) {
        fprintf(stderr, "delay_proxy: cannot resolve %s:%s\n", argv[2], argv[3]);
        return 1;
    }
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 128) ||
        getsockname(ls, (struct sockaddr *)&a, &alen)) {
        perror("delay_proxy");
        return 1;
    }
    nonblock(ls);
    FILE *pf = fopen(argv[4], "w");
    if (!pf || fprintf(pf, "%d\n", ntohs(a.sin_port)) < 0 || fclose(pf)) {
        perror(argv[4]);
        return 1;
    }
    static struct pollfd pfd[1 + 4 * MAX_PAIRS];
    static int owner[1 + 4 * MAX_PAIRS];     /* pair * 2 + direction, for readers */
    for (;;) {
        double t = now(), next = t + 1.0;
        nfds_t n = 0;
        pfd[n++] = (struct pollfd){.fd = ls, .events = POLLIN};
        for (int i = 0; i < MAX_PAIRS; i++) {
            for (int d = 0; d < 2 && pairs[i].used; d++) {
                Flow *f = &pairs[i].f[d];
                if (!f->eof_read) {
                    owner[n] = i * 2 + d;
                    pfd[n++] = (struct pollfd){.fd = f->in, .events = POLLIN};
                }
                if (f->head && f->head->due <= t) {
                    owner[n] = -1;   /* due but the socket was full: wait for room */
                    pfd[n++] = (struct pollfd){.fd = f->out, .events = POLLOUT};
                } else if (f->head && f->head->due < next) {
                    next = f->head->due;
                }
            }
        }
        /* ppoll: a millisecond timeout would be too coarse for 1 ms delays. */
        double wait = next > t ? next - t : 0;
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        if (ppoll(pfd, n, &ts, NULL) < 0 && errno != EINTR)
            return 1;
        if (pfd[0].revents & POLLIN) {
            int c;
            while ((c = accept(ls, NULL, NULL)) >= 0) {
                int s = connect_target(target);
                int slot = -1;
                for (int i = 0; i < MAX_PAIRS && slot < 0; i++)
                    if (!pairs[i].used)
                        slot = i;
                if (s < 0 || slot < 0) {
                    close(c);
                    if (s >= 0)
                        close(s);
                    continue;
                }
                nonblock(c);
                pairs[slot].used = 1;
                pairs[slot].f[0] = (Flow){.in = c, .out = s};
                pairs[slot].f[1] = (Flow){.in = s, .out = c};
            }
        }
        for (nfds_t k = 1; k < n; k++) {
            if (owner[k] < 0 || !(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            Pair *p = &pairs[owner[k] / 2];
            if (p->used && pump_in(&p->f[owner[k] % 2]))
                close_pair(p);
        }
        t = now();
        for (int i = 0; i < MAX_PAIRS; i++) {
            for (int d = 0; d < 2 && pairs[i].used; d++)
                if (pump_out(&pairs[i].f[d], t))
                    close_pair(&pairs[i]);
            if (pairs[i].used && pairs[i].f[0].done && pairs[i].f[1].done)
                close_pair(&pairs[i]);
        }
    }
}
