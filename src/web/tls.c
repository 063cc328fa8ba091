/*
 * tls.c - HTTPS for `gnbv serve`: a TLS front on the public address that
 * passes the decrypted bytes to civetweb on a loopback port, and its
 * answers back.
 *
 * Why not civetweb's own TLS: Debian's civetweb 1.15 loads libssl at run
 * time through a table of OpenSSL 1.1 symbols. OpenSSL 3 renamed one of
 * them (SSL_get_peer_certificate is SSL_get1_peer_certificate now), the
 * table keeps a NULL there, and civetweb calls it right after every
 * handshake: a segfault at address 0 in a worker. So this file links
 * OpenSSL 3 itself and civetweb serves plain HTTP to this process only.
 *
 * Shape: an acceptor thread, and a thread per connection, at most
 * max_connections of them (one more is closed at once: no thread, no
 * handshake). A connection's thread does the handshake under a deadline,
 * then connects to civetweb and pumps bytes both ways over non-blocking
 * sockets with poll until either side closes. Three timeouts keep slow
 * and vanished clients from pinning threads (quality.md F2): the
 * handshake's, a client taking no byte of a response, and nothing moving
 * at all; civetweb's own request and keep-alive timeouts still apply to
 * the requests that come through (a slow request is cut by civetweb,
 * which closes its side, which ends the connection here).
 *
 * Garbage, plain HTTP on this port, a handshake cut short or a client
 * gone mid-response end that connection only: OpenSSL reports an error,
 * the thread closes its sockets. SIGPIPE is blocked in these threads and
 * the backend gets MSG_NOSIGNAL, so a write to a vanished client is an
 * EPIPE, not the end of the process.
 *
 * With redirect_listen the same acceptor also takes plain HTTP on a
 * second address, under the same cap and deadlines: such a connection's
 * thread reads the request line only, answers a 301 or 308 to the same
 * path and query on the https origin (from the configuration, never the
 * Host header) or a 400, and closes. It never reaches civetweb, so no
 * page and no session is ever served or read in clear.
 */
#include "tls.h"

#include "gnbv/error.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Bytes held per direction: one TLS record's worth of plaintext. */
#define BUF_CAP 16384
/* A connection thread's stack: OpenSSL's handshake needs tens of KB;
 * room for a sanitizer's redzones too (mapped lazily). */
#define CONN_STACK (512u << 10)
/* After the backend closed and the last bytes went out: how long the
 * client may take to close its side (its unread bytes would otherwise
 * turn our close into a reset that can destroy the response). */
#define LINGER_MS 1000
/* The longest path and query redirected: officers' URLs are far shorter,
 * and the cap bounds both the read buffer and the Location header. */
#define TARGET_CAP 2048
/* A request line: a method, the target, " HTTP/1.1", CRLF. */
#define LINE_CAP (TARGET_CAP + 32)

/* TLS 1.2 suites (TLS 1.3 keeps OpenSSL's own list): forward secrecy
 * always (ECDHE), AES-GCM and ChaCha20 first, CBC with a SHA-2 MAC last
 * for clients without those; no SHA-1 MACs, no CCM. The server's order
 * wins. */
static const char CIPHERS12[] = "ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE+AES:!aNULL:!eNULL:!SHA1:!AESCCM";

enum { SLOT_FREE, SLOT_RUNNING, SLOT_DONE };

typedef struct slot {
	int state; /* under the front's mutex */
	int fd;    /* the client's socket, handed to the thread */
	int plain; /* accepted on redirect_listen: plain HTTP, redirected */
	pthread_t t;
	struct gnbv_tls_front *f;
} slot;

struct gnbv_tls_front {
	SSL_CTX *ctx;
	int lfd, port;
	int rfd, rport;       /* redirect_listen's socket and port; -1: off */
	char origin[256];     /* the redirect's "https://HOST[:PORT]" */
	char moved_text[512]; /* the redirect's body (copied: the caller's may go) */
	char bad_text[256];   /* a 400's body */
	struct sockaddr_storage backend;
	socklen_t backend_len;
	int max, handshake_ms, write_ms, idle_ms;
	FILE *log;
	int accept_wake[2]; /* written once: the acceptor stops */
	int conn_wake[2];   /* written once: the connections stop */
	pthread_t acceptor;
	int acceptor_running;
	pthread_mutex_t mu;
	slot *slots; /* max of them */
	atomic_int stopping;
	unsigned long refused, failed; /* under mu: at the cap, handshakes that failed */
};

typedef struct buf {
	char b[BUF_CAP];
	size_t off, len; /* bytes [off, len) wait to be written */
} buf;

/* One connection's state while it pumps. */
typedef struct conn {
	gnbv_tls_front *f;
	SSL *ssl;
	int cfd, bfd;
	buf up;        /* client -> backend */
	buf down;      /* backend -> client */
	int c_eof;     /* the client closed (or failed): no more reads */
	int ssl_dead;  /* a fatal TLS error: no close_notify, no more writes */
	int b_eof;     /* the backend closed (or failed) */
	int rd_want;   /* what the last SSL_read waits for: SSL_ERROR_WANT_READ/WRITE, 0 */
	int wr_want;   /* the same for the pending SSL_write */
	int wr_pend;   /* length of an SSL_write to repeat (OpenSSL requires the same bytes) */
	int64_t moved; /* when a byte last moved, either way */
	int64_t out;   /* when a byte last went to the client, or the response began */
} conn;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wake(int fd)
{
	ssize_t r = write(fd, "x", 1); /* a full pipe is already awake */
	(void)r;
}

/* ---- set-up ---- */

/* "ADDR:PORT", "[ADDR6]:PORT" or "PORT" into a socket address; numeric
 * only, as civetweb takes them. */
static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64] = "";
	const char *port = s;
	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (!e || e[1] != ':' || (size_t)(e - s - 1) >= sizeof host) goto bad;
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = '\0';
		port = e + 2;
	} else if (strchr(s, ':')) {
		const char *c = strrchr(s, ':');
		if ((size_t)(c - s) >= sizeof host) goto bad;
		memcpy(host, s, (size_t)(c - s));
		host[c - s] = '\0';
		port = c + 1;
	}
	size_t n = strlen(port);
	if (n == 0 || n > 5 || strspn(port, "0123456789") != n || strtol(port, NULL, 10) > 65535)
		goto bad;
	struct addrinfo hints, *ai = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = host[0] ? AF_UNSPEC : AF_INET;
	if (getaddrinfo(host[0] ? host : NULL, port, &hints, &ai) || !ai) goto bad;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
bad:
	return gnbv_error_set(
	    GNBV_EINVALID, "%s: not an address to listen on (ADDR:PORT, [ADDR6]:PORT or PORT)", s);
}

/* OpenSSL's first queued error into the message, after what we tried. */
static int ssl_fail(int code, const char *path, const char *what)
{
	char e[256] = "";
	unsigned long err = ERR_peek_error();
	if (err) ERR_error_string_n(err, e, sizeof e);
	ERR_clear_error();
	return gnbv_error_set(code, "certificate file %s: %s%s%s", path, what, e[0] ? " (" : "",
	                      e[0] ? e : "");
}

/* An encrypted key would make OpenSSL ask for its passphrase on the
 * terminal of a server: refuse instead. */
static int no_passphrase(char *pw, int size, int rwflag, void *u)
{
	(void)pw;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int new_ctx(SSL_CTX **out, const char *path, FILE *log)
{
	SSL_CTX *ctx = NULL;
	FILE *fp = fopen(path, "r");
	int rc = 0;
	*out = NULL;
	if (!fp) return gnbv_error_set(GNBV_EIO, "certificate file %s: %s", path, strerror(errno));
	fclose(fp);
	ERR_clear_error();
	if (!(ctx = SSL_CTX_new(TLS_server_method()))) {
		rc = ssl_fail(GNBV_ENOMEM, path, "no TLS context");
		goto done;
	}
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, CIPHERS12)) {
		rc = ssl_fail(GNBV_EINVALID, path, "cannot set the protocol versions and ciphers");
		goto done;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION |
	                             SSL_OP_NO_COMPRESSION);
	/* Partial writes and a moving buffer: the pump repeats an SSL_write
	 * from a buffer it compacts; released buffers: idle connections keep
	 * no 34 KB of record buffers each. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	                          SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_use_certificate_chain_file(ctx, path) != 1) {
		rc = ssl_fail(GNBV_EINVALID, path, "no certificate in it");
		goto done;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM) != 1) {
		/* OpenSSL checks the key against the certificate here already. */
		unsigned long last = ERR_peek_last_error();
		int mismatch = ERR_GET_LIB(last) == ERR_LIB_X509 &&
		               ERR_GET_REASON(last) == X509_R_KEY_VALUES_MISMATCH;
		rc = ssl_fail(GNBV_EINVALID, path,
		              mismatch ? "the private key does not match the certificate"
		                       : "no private key in it (it must hold the key, unencrypted, "
		                         "after the certificates)");
		goto done;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		rc =
		    ssl_fail(GNBV_EINVALID, path, "the private key does not match the certificate");
		goto done;
	}
	/* Served anyway (a renewal may be on its way), but said. */
	X509 *leaf = SSL_CTX_get0_certificate(ctx);
	if (leaf && log && X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0)
		fprintf(log, "gnbv serve: warning: the certificate in %s has expired\n", path);
	*out = ctx;
	ctx = NULL;
done:
	SSL_CTX_free(ctx);
	return rc;
}

static int port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
	                                       : ((const struct sockaddr_in *)ss)->sin_port);
}

/* Binds and listens on addr: *fd (closed by front_free) and *port, as
 * bound. */
static int listen_on(int *fd, int *port, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int rc, one = 1;
	if ((rc = parse_addr(addr, &ss, &len))) return rc;
	*fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd < 0 || setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(*fd, (struct sockaddr *)&ss, len) || listen(*fd, SOMAXCONN))
		return gnbv_error_set(GNBV_EIO, "cannot listen on %s: %s", addr, strerror(errno));
	len = sizeof ss;
	if (getsockname(*fd, (struct sockaddr *)&ss, &len))
		return gnbv_error_set(GNBV_EIO, "%s: %s", addr, strerror(errno));
	*port = port_of(&ss);
	return 0;
}

/* The redirect's target: o->redirect_origin checked, or https:// +
 * listen's host and the bound port. Called with the TLS port bound. */
static int redirect_origin(gnbv_tls_front *f, const gnbv_tls_front_opts *o)
{
	const char *set = o->redirect_origin;
	if (set && set[0]) {
		/* Only a scheme and an authority: it heads every Location. */
		const char *h = set + 8;
		size_t n = strlen(h);
		if (strncmp(set, "https://", 8) || n == 0 || n >= sizeof f->origin - 8 ||
		    strspn(h,
		           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
		        n)
			return gnbv_error_set(
			    GNBV_EINVALID,
			    "public_origin %s: not an https origin to redirect to "
			    "(https://HOST or https://HOST:PORT)",
			    set);
		snprintf(f->origin, sizeof f->origin, "%s", set);
		return 0;
	}
	const char *colon = strrchr(o->listen, ':');
	size_t hl = colon ? (size_t)(colon - o->listen) : 0;
	if (hl == 0 || (hl == 7 && !strncmp(o->listen, "0.0.0.0", 7)) ||
	    (hl == 4 && !strncmp(o->listen, "[::]", 4)))
		return gnbv_error_set(
		    GNBV_EINVALID,
		    "http_redirect_listen: listen %s names no host to redirect to; "
		    "set public_origin (https://HOST)",
		    o->listen);
	if (f->port == 443)
		snprintf(f->origin, sizeof f->origin, "https://%.*s", (int)hl, o->listen);
	else
		snprintf(f->origin, sizeof f->origin, "https://%.*s:%d", (int)hl, o->listen,
		         f->port);
	return 0;
}

/* The redirect's address may not be the TLS one: the same port twice
 * would fail to bind with a vaguer message (port 0 is two ports the
 * system picks, so it never is the same). */
static int not_listen(const char *addr, const char *tls_addr)
{
	struct sockaddr_storage a, b;
	socklen_t al, bl;
	int rc;
	if ((rc = parse_addr(addr, &a, &al)) || (rc = parse_addr(tls_addr, &b, &bl))) return rc;
	if (port_of(&a) != 0 && al == bl && !memcmp(&a, &b, al))
		return gnbv_error_set(GNBV_EINVALID,
		                      "http_redirect_listen %s is the same address as listen %s: "
		                      "plain HTTP needs an address of its own (port 80)",
		                      addr, tls_addr);
	return 0;
}

/* ---- one connection ---- */

static int handshake(gnbv_tls_front *f, SSL *ssl, int cfd)
{
	int64_t deadline = now_ms() + f->handshake_ms;
	for (;;) {
		ERR_clear_error();
		int r = SSL_accept(ssl);
		if (r == 1) return 0;
		int e = SSL_get_error(ssl, r);
		short ev = e == SSL_ERROR_WANT_READ    ? POLLIN
		           : e == SSL_ERROR_WANT_WRITE ? POLLOUT
		                                       : 0;
		int64_t left = deadline - now_ms();
		if (!ev || left <= 0) return -1; /* garbage, plain HTTP, a cut, too slow */
		struct pollfd p[2] = {{cfd, ev, 0}, {f->conn_wake[0], POLLIN, 0}};
		if (poll(p, 2, (int)left) < 0 && errno != EINTR) return -1;
		if (p[1].revents) return -1; /* stopping */
	}
}

static int backend_connect(gnbv_tls_front *f)
{
	int one = 1, err = 0;
	socklen_t el = sizeof err;
	int fd = socket(f->backend.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&f->backend, f->backend_len) == 0) return fd;
	if (errno != EINPROGRESS) goto fail;
	struct pollfd p = {fd, POLLOUT, 0};
	if (poll(&p, 1, f->handshake_ms) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) ||
	    err)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* Room at the end of b: moves the unwritten bytes to the front (allowed
 * under a pending SSL_write: SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER). */
static void compact(buf *b)
{
	if (b->off == b->len) {
		b->off = b->len = 0;
	} else if (b->off > 0 && b->len == BUF_CAP) {
		memmove(b->b, b->b + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
}

/* Does what can be done without waiting; 1 when a byte moved. */
static int step(conn *k)
{
	int moved = 0;
	/* Client to buffer. Read until OpenSSL needs the socket: it may hold
	 * decrypted bytes the socket no longer shows (SSL_pending), which a
	 * poll on the socket would never report. */
	k->rd_want = 0;
	while (!k->c_eof && k->up.len < BUF_CAP) {
		ERR_clear_error();
		int n = SSL_read(k->ssl, k->up.b + k->up.len, (int)(BUF_CAP - k->up.len));
		if (n > 0) {
			k->up.len += (size_t)n;
			moved = 1;
			continue;
		}
		int e = SSL_get_error(k->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			k->rd_want = e;
		} else {
			k->c_eof = 1;
			if (e != SSL_ERROR_ZERO_RETURN) k->ssl_dead = 1;
		}
		break;
	}
	/* Buffer to backend. */
	while (!k->b_eof && k->up.off < k->up.len) {
		ssize_t w = send(k->bfd, k->up.b + k->up.off, k->up.len - k->up.off, MSG_NOSIGNAL);
		if (w > 0) {
			k->up.off += (size_t)w;
			moved = 1;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			break;
		} else {
			k->b_eof = 1; /* the backend is gone: send the client what it said */
		}
	}
	if (k->b_eof) k->up.off = k->up.len = 0;
	compact(&k->up);
	/* Backend to buffer. */
	while (!k->b_eof && k->down.len < BUF_CAP) {
		ssize_t r = recv(k->bfd, k->down.b + k->down.len, BUF_CAP - k->down.len, 0);
		if (r > 0) {
			if (k->down.off == k->down.len)
				k->out = now_ms(); /* the client's clock starts */
			k->down.len += (size_t)r;
			moved = 1;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			break;
		} else {
			k->b_eof = 1;
		}
	}
	/* Buffer to client. A write OpenSSL could not finish is repeated with
	 * the same length (SSL_write's rule). */
	while (!k->ssl_dead && (k->wr_pend || k->down.off < k->down.len)) {
		int len = k->wr_pend ? k->wr_pend : (int)(k->down.len - k->down.off);
		ERR_clear_error();
		int n = SSL_write(k->ssl, k->down.b + k->down.off, len);
		if (n > 0) {
			k->down.off += (size_t)n;
			k->wr_pend = k->wr_want = 0;
			k->out = now_ms();
			moved = 1;
			continue;
		}
		int e = SSL_get_error(k->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			k->wr_pend = len;
			k->wr_want = e;
		} else {
			k->ssl_dead = k->c_eof = 1;
		}
		break;
	}
	if (k->ssl_dead) { /* nothing more reaches this client */
		k->down.off = k->down.len = 0;
		k->wr_pend = 0;
	}
	compact(&k->down);
	return moved;
}

static short want(int ssl_want)
{
	return ssl_want == SSL_ERROR_WANT_READ    ? POLLIN
	       : ssl_want == SSL_ERROR_WANT_WRITE ? POLLOUT
	                                          : 0;
}

/* Pumps until either side closes; 1 when the end is clean (the backend
 * closed and all it said went out, or the client said close_notify): the
 * client then gets our close_notify. */
static int pump(conn *k)
{
	gnbv_tls_front *f = k->f;
	k->moved = k->out = now_ms();
	for (;;) {
		int moved = step(k);
		int stopping = atomic_load(&f->stopping);
		int flushed = !k->wr_pend && k->down.off == k->down.len;
		if (k->c_eof) return !k->ssl_dead;
		if (k->b_eof && flushed) return 1;
		/* Stopped with the backend still open (gnbv_web_serve stops
		 * civetweb first, so only on a failure path): end here. */
		if (stopping && !k->b_eof) return 1;
		int64_t now = now_ms();
		if (moved) {
			k->moved = now;
			continue; /* more may be possible before any wait */
		}
		int64_t deadline = k->moved + f->idle_ms;
		if (!flushed && k->out + f->write_ms < deadline) deadline = k->out + f->write_ms;
		if (now >= deadline) return 0;
		short cev = (k->up.len < BUF_CAP ? want(k->rd_want) : 0) |
		            (k->wr_pend ? want(k->wr_want) : 0);
		short bev = (short)((!k->b_eof && k->down.len < BUF_CAP ? POLLIN : 0) |
		                    (!k->b_eof && k->up.off < k->up.len ? POLLOUT : 0));
		/* A descriptor with nothing asked is left out (-1): its hang-up
		 * alone would wake poll again and again. */
		struct pollfd p[3] = {{cev ? k->cfd : -1, cev, 0},
		                      {bev ? k->bfd : -1, bev, 0},
		                      {stopping ? -1 : f->conn_wake[0], POLLIN, 0}};
		if (poll(p, 3, (int)(deadline - now)) < 0 && errno != EINTR) return 0;
	}
}

/* The client has what we sent and our close_notify: give it a moment to
 * close first, reading (and dropping) what it still sends. */
static void linger(int cfd)
{
	char junk[4096];
	int64_t deadline = now_ms() + LINGER_MS;
	shutdown(cfd, SHUT_WR);
	for (;;) {
		int64_t left = deadline - now_ms();
		struct pollfd p = {cfd, POLLIN, 0};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) return;
		ssize_t r = recv(cfd, junk, sizeof junk, 0);
		if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) return;
	}
}

static const char UNAVAILABLE[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                  "Connection: close\r\n\r\n";

/* An HTTPS connection: the handshake, then the pump to civetweb. */
static void tls_conn(gnbv_tls_front *f, int cfd)
{
	conn *k = NULL;
	SSL *ssl = NULL;
	int bfd = -1, clean = 0, backend_closed = 0;
	if (!(ssl = SSL_new(f->ctx)) || !SSL_set_fd(ssl, cfd)) goto done;
	if (handshake(f, ssl, cfd)) {
		pthread_mutex_lock(&f->mu);
		f->failed++;
		pthread_mutex_unlock(&f->mu);
		goto done;
	}
	/* Only a client that completed a handshake reaches civetweb. */
	if (!(k = calloc(1, sizeof *k))) goto done;
	k->f = f;
	k->ssl = ssl;
	k->cfd = cfd;
	k->bfd = bfd = backend_connect(f);
	if (bfd < 0) {
		if (!atomic_load(&f->stopping) && f->log)
			fprintf(f->log, "gnbv serve: TLS: the application does not answer: 503\n");
		memcpy(k->down.b, UNAVAILABLE, sizeof UNAVAILABLE - 1);
		k->down.len = sizeof UNAVAILABLE - 1;
		k->b_eof = 1;
	}
	clean = pump(k);
	backend_closed = k->b_eof && !k->c_eof;
done:
	if (clean) {
		ERR_clear_error();
		SSL_shutdown(ssl); /* once, not waiting for the client's reply */
		if (backend_closed) linger(cfd);
	}
	ERR_clear_error();
	SSL_free(ssl);
	free(k);
	if (bfd >= 0) close(bfd);
}

/* ---- plain HTTP: the redirect ---- */

/* Reads until the end of the request line, within the handshake's
 * deadline. Returns the line's length without its line end; 0 when the
 * client closed or stayed silent (or we are stopping): no answer; -1 when
 * no line end came within LINE_CAP bytes. The headers after it are never
 * looked at. */
static int request_line(gnbv_tls_front *f, int cfd, char *b, size_t cap)
{
	int64_t deadline = now_ms() + f->handshake_ms;
	size_t len = 0;
	for (;;) {
		char *nl = memchr(b, '\n', len);
		if (nl) {
			size_t n = (size_t)(nl - b);
			if (n && b[n - 1] == '\r') n--;
			b[n] = '\0';
			return n ? (int)n : -1;
		}
		if (len == cap) return -1;
		int64_t left = deadline - now_ms();
		if (left <= 0) return 0;
		struct pollfd p[2] = {{cfd, POLLIN, 0}, {f->conn_wake[0], POLLIN, 0}};
		if (poll(p, 2, (int)left) < 0 && errno != EINTR) return 0;
		if (p[1].revents) return 0;
		if (!p[0].revents) continue;
		ssize_t r = recv(cfd, b + len, cap - len, 0);
		if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) return 0;
		if (r > 0) len += (size_t)r;
	}
}

/* "METHOD /target HTTP/1.x": an upper-case method, an origin-form target
 * of visible ASCII (so nothing in it can end or add a header line) up to
 * TARGET_CAP bytes. 0 and the parts, or -1. */
static int parse_request_line(char *line, char **method, char **target)
{
	char *sp1 = strchr(line, ' ');
	if (!sp1) return -1;
	char *sp2 = strchr(sp1 + 1, ' ');
	if (!sp2) return -1;
	size_t ml = (size_t)(sp1 - line), tl = (size_t)(sp2 - sp1 - 1);
	if (ml == 0 || ml > 16 || strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != ml) return -1;
	if (tl == 0 || tl > TARGET_CAP || sp1[1] != '/') return -1;
	for (const char *c = sp1 + 1; c < sp2; c++)
		if (*c < 0x21 || *c > 0x7e) return -1;
	if (strcmp(sp2 + 1, "HTTP/1.1") && strcmp(sp2 + 1, "HTTP/1.0")) return -1;
	*sp1 = *sp2 = '\0';
	*method = line;
	*target = sp1 + 1;
	return 0;
}

/* Sends all of b within write_ms; 0 or -1. */
static int send_all(gnbv_tls_front *f, int cfd, const char *b, size_t n)
{
	int64_t deadline = now_ms() + f->write_ms;
	while (n) {
		ssize_t w = send(cfd, b, n, MSG_NOSIGNAL);
		if (w > 0) {
			b += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
		int64_t left = deadline - now_ms();
		struct pollfd p = {cfd, POLLOUT, 0};
		if (left <= 0 || (poll(&p, 1, (int)left) < 0 && errno != EINTR)) return -1;
	}
	return 0;
}

/* A plain HTTP connection: one request line, one answer, closed. No
 * cookie is ever set and none read; the body never quotes the request. */
static void plain_conn(gnbv_tls_front *f, int cfd)
{
	char line[LINE_CAP + 1];
	char head[LINE_CAP + 768];
	char *method = NULL, *target = NULL;
	int n = request_line(f, cfd, line, LINE_CAP);
	if (n == 0) return; /* silent, closed or stopping: nothing to answer */
	int ok = n > 0 && !parse_request_line(line, &method, &target);
	/* 301 may turn a POST into a GET on the way (RFC 9110 15.4.2); 308
	 * keeps the method and the body. */
	int get = ok && (!strcmp(method, "GET") || !strcmp(method, "HEAD"));
	const char *text = ok ? f->moved_text : f->bad_text;
	int hl = snprintf(head, sizeof head,
	                  "HTTP/1.1 %s\r\n%s%s%s%sContent-Type: text/plain; charset=utf-8\r\n"
	                  "Content-Length: %zu\r\nX-Content-Type-Options: nosniff\r\n"
	                  "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
	                  !ok   ? "400 Bad Request"
	                  : get ? "301 Moved Permanently"
	                        : "308 Permanent Redirect",
	                  ok ? "Location: " : "", ok ? f->origin : "", ok ? target : "",
	                  ok ? "\r\n" : "", strlen(text));
	if (hl < 0 || (size_t)hl >= sizeof head) return; /* cannot happen: the caps above */
	if (send_all(f, cfd, head, (size_t)hl)) return;
	if (!(ok && !strcmp(method, "HEAD")) && send_all(f, cfd, text, strlen(text))) return;
	linger(cfd); /* its headers are still unread: a close now could be a reset */
}

static void *conn_main(void *arg)
{
	slot *sl = arg;
	gnbv_tls_front *f = sl->f;
	if (sl->plain)
		plain_conn(f, sl->fd);
	else
		tls_conn(f, sl->fd);
	close(sl->fd);
	pthread_mutex_lock(&f->mu);
	sl->state = SLOT_DONE; /* joined by the acceptor or by stop */
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

/* ---- accepting ---- */

/* Over the cap: closed at once. The bytes already here (the ClientHello)
 * are read first, so that the close is a plain FIN, not a reset. */
static void refuse(int fd)
{
	char junk[4096];
	for (int i = 0; i < 4 && recv(fd, junk, sizeof junk, MSG_DONTWAIT) > 0; i++) {
	}
	close(fd);
}

static void *acceptor_main(void *arg)
{
	gnbv_tls_front *f = arg;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, CONN_STACK);
	for (;;) {
		/* The TLS listener, the redirect's (-1: none, poll skips it). */
		struct pollfd p[3] = {
		    {f->lfd, POLLIN, 0}, {f->rfd, POLLIN, 0}, {f->accept_wake[0], POLLIN, 0}};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR) continue;
			break;
		}
		if (p[2].revents) break;
		if ((p[0].revents | p[1].revents) & (POLLERR | POLLNVAL)) break;
		/* Both ready: the TLS one first, the other on the next turn. */
		int plain = !(p[0].revents & POLLIN);
		if (plain && !(p[1].revents & POLLIN)) continue;
		int fd = accept4(plain ? f->rfd : f->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			/* Out of descriptors or memory: wait a little rather than
			 * spin on a listener that stays readable. */
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				poll(&p[2], 1, 100);
			continue;
		}
		int one = 1;
		/* Our records go out as they come: without it, Nagle holds the
		 * body's record for the client's delayed ACK (as civetweb's
		 * tcp_nodelay avoids for plain HTTP). */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		slot *free_slot = NULL;
		pthread_mutex_lock(&f->mu);
		for (int i = 0; i < f->max; i++) {
			slot *s = &f->slots[i];
			if (s->state == SLOT_DONE) {
				pthread_join(s->t, NULL); /* it is past its last use of the front */
				s->state = SLOT_FREE;
			}
			if (s->state == SLOT_FREE && !free_slot) free_slot = s;
		}
		if (free_slot) {
			free_slot->state = SLOT_RUNNING;
			free_slot->fd = fd;
			free_slot->plain = plain;
			if (pthread_create(&free_slot->t, &attr, conn_main, free_slot)) {
				free_slot->state = SLOT_FREE;
				free_slot = NULL;
			}
		}
		if (!free_slot) f->refused++;
		pthread_mutex_unlock(&f->mu);
		if (!free_slot) refuse(fd);
	}
	pthread_attr_destroy(&attr);
	return NULL;
}

/* ---- the front ---- */

static void front_free(gnbv_tls_front *f)
{
	if (!f) return;
	if (f->lfd >= 0) close(f->lfd);
	if (f->rfd >= 0) close(f->rfd);
	for (int i = 0; i < 2; i++) {
		if (f->accept_wake[i] >= 0) close(f->accept_wake[i]);
		if (f->conn_wake[i] >= 0) close(f->conn_wake[i]);
	}
	SSL_CTX_free(f->ctx);
	free(f->slots);
	free(f);
}

int gnbv_tls_front_start(gnbv_tls_front **out, const gnbv_tls_front_opts *o)
{
	gnbv_tls_front *f = NULL;
	sigset_t block, old;
	int rc = 0, mu = 0;
	*out = NULL;
	if (!o->listen || !o->cert_file || !o->backend || o->max_connections < 1 ||
	    o->handshake_timeout_ms < 1 || o->write_timeout_ms < 1 || o->idle_timeout_ms < 1)
		return gnbv_error_set(GNBV_EINVALID, "TLS front: bad options");
	if (!(f = calloc(1, sizeof *f))) return GNBV_ENOMEM;
	f->lfd = f->rfd = f->rport = f->accept_wake[0] = f->accept_wake[1] = f->conn_wake[0] =
	    f->conn_wake[1] = -1;
	f->max = o->max_connections;
	f->handshake_ms = o->handshake_timeout_ms;
	f->write_ms = o->write_timeout_ms;
	f->idle_ms = o->idle_timeout_ms;
	f->log = o->log;
	snprintf(f->moved_text, sizeof f->moved_text, "%s",
	         o->redirect_text ? o->redirect_text : "");
	snprintf(f->bad_text, sizeof f->bad_text, "%s",
	         o->bad_request_text ? o->bad_request_text : "");
	atomic_init(&f->stopping, 0);
	int redirect = o->redirect_listen && o->redirect_listen[0];
	if ((rc = parse_addr(o->backend, &f->backend, &f->backend_len))) goto done;
	if (redirect && (rc = not_listen(o->redirect_listen, o->listen))) goto done;
	/* The certificate before the listener: a bad one leaves nothing open. */
	if ((rc = new_ctx(&f->ctx, o->cert_file, o->log))) goto done;
	if ((rc = listen_on(&f->lfd, &f->port, o->listen))) goto done;
	if (redirect && ((rc = redirect_origin(f, o)) ||
	                 (rc = listen_on(&f->rfd, &f->rport, o->redirect_listen))))
		goto done;
	if (pipe2(f->accept_wake, O_CLOEXEC | O_NONBLOCK) ||
	    pipe2(f->conn_wake, O_CLOEXEC | O_NONBLOCK)) {
		rc = gnbv_error_set(GNBV_EIO, "TLS front: %s", strerror(errno));
		goto done;
	}
	if (!(f->slots = calloc((size_t)f->max, sizeof *f->slots))) {
		rc = GNBV_ENOMEM;
		goto done;
	}
	for (int i = 0; i < f->max; i++)
		f->slots[i].f = f;
	if (pthread_mutex_init(&f->mu, NULL)) {
		rc = GNBV_ENOMEM;
		goto done;
	}
	mu = 1;
	/* The acceptor and the connection threads it starts inherit this
	 * mask: SIGPIPE blocked, so a write to a vanished client fails with
	 * EPIPE in the thread that made it. */
	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int e = pthread_create(&f->acceptor, NULL, acceptor_main, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		rc = gnbv_error_set(GNBV_ENOMEM, "TLS front: cannot start a thread");
		goto done;
	}
	f->acceptor_running = 1;
	*out = f;
	f = NULL;
done:
	if (f && mu) pthread_mutex_destroy(&f->mu);
	front_free(f);
	return rc;
}

int gnbv_tls_front_port(const gnbv_tls_front *f)
{
	return f->port;
}

int gnbv_tls_front_redirect_port(const gnbv_tls_front *f)
{
	return f->rport;
}

const char *gnbv_tls_front_redirect_origin(const gnbv_tls_front *f)
{
	return f->origin;
}

void gnbv_tls_front_stop_accepting(gnbv_tls_front *f)
{
	if (!f || !f->acceptor_running) return;
	wake(f->accept_wake[1]);
	pthread_join(f->acceptor, NULL);
	f->acceptor_running = 0;
	close(f->lfd);
	f->lfd = -1;
	if (f->rfd >= 0) close(f->rfd);
	f->rfd = -1;
}

void gnbv_tls_front_stop(gnbv_tls_front *f)
{
	if (!f) return;
	gnbv_tls_front_stop_accepting(f);
	atomic_store(&f->stopping, 1);
	wake(f->conn_wake[1]);
	/* No acceptor any more: nothing starts threads or frees slots but us
	 * (a thread still moves its slot from RUNNING to DONE). */
	for (int i = 0; i < f->max; i++) {
		pthread_mutex_lock(&f->mu);
		int used = f->slots[i].state != SLOT_FREE;
		pthread_mutex_unlock(&f->mu);
		if (used) pthread_join(f->slots[i].t, NULL);
	}
	if (f->log && (f->refused || f->failed))
		fprintf(f->log,
		        "gnbv serve: TLS: connections refused at the cap: %lu, handshakes failed: "
		        "%lu\n",
		        f->refused, f->failed);
	pthread_mutex_destroy(&f->mu);
	front_free(f);
}
