/* fake_pg.c - a stand-in for a server hqc must refuse: it speaks just enough
 * of the PostgreSQL v3 protocol for libpq to connect (declines SSL and GSS,
 * trusts everyone) and reports the server_version given on the command line.
 * tests/suites/live_bad_input.sh points hqc apply at it.
 *
 *   fake_pg VERSION PORTFILE     listens on 127.0.0.1 at a free port, writes
 *                                the port to PORTFILE, serves until killed */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int read_full(int fd, void *buf, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* Appends message `type` with body[0..n) to out. */
static size_t message(unsigned char *out, char type, const void *body, size_t n)
{
    out[0] = (unsigned char)type;
    put32(out + 1, (uint32_t)(n + 4));
    memcpy(out + 5, body, n);
    return n + 5;
}

static size_t parameter(unsigned char *out, const char *name, const char *value)
{
    char body[256];
    size_t n = (size_t)snprintf(body, sizeof body, "%s%c%s", name, 0, value) + 1;
    return message(out, 'S', body, n);
}

static void serve(int fd, const char *version)
{
    unsigned char head[8];
    for (;;) {
        if (read_full(fd, head, 8))
            return;
        uint32_t len = (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 | (uint32_t)head[2] << 8 | head[3];
        uint32_t code = (uint32_t)head[4] << 24 | (uint32_t)head[5] << 16 | (uint32_t)head[6] << 8 | head[7];
        if (len < 8 || len > 10000)
            return;
        if (code == 80877103 || code == 80877104) {   /* SSLRequest, GSSENCRequest: no */
            if (write(fd, "N", 1) != 1)
                return;
            continue;
        }
        char rest[10000];
        if (read_full(fd, rest, len - 8))
            return;
        break;
    }
    unsigned char out[1024];
    size_t n = 0;
    unsigned char auth_ok[4] = {0, 0, 0, 0};
    n += message(out + n, 'R', auth_ok, 4);
    n += parameter(out + n, "server_version", version);
    n += parameter(out + n, "server_encoding", "UTF8");
    n += parameter(out + n, "client_encoding", "UTF8");
    n += parameter(out + n, "DateStyle", "ISO, MDY");
    n += parameter(out + n, "integer_datetimes", "on");
    n += parameter(out + n, "standard_conforming_strings", "on");
    unsigned char key[8];
    put32(key, (uint32_t)getpid());
    put32(key + 4, 12345);
    n += message(out + n, 'K', key, 8);
    n += message(out + n, 'Z', "I", 1);
    if (write(fd, out, n) != (ssize_t)n)
        return;
    /* Whatever comes next (a query, Terminate): hang up. */
    char c;
    if (read(fd, &c, 1) < 0)
        return;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fake_pg VERSION PORTFILE\n");
        return 2;
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16) ||
        getsockname(s, (struct sockaddr *)&a, &alen)) {
        perror("fake_pg");
        return 1;
    }
    FILE *f = fopen(argv[2], "w");
    if (!f || fprintf(f, "%d\n", ntohs(a.sin_port)) < 0 || fclose(f)) {
        perror(argv[2]);
        return 1;
    }
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        serve(c, argv[1]);
        close(c);
    }
}
