/*
 * tls.h - the TLS front of `gnbv serve` (tls.c): HTTPS on the public
 * address, plain HTTP to civetweb on a loopback port, and optionally a
 * plain HTTP address that only redirects to the HTTPS one. Internal to the
 * web layer; gnbv_web_serve starts it when tls_certificate is set.
 */
#ifndef GNBV_WEB_TLS_H
#define GNBV_WEB_TLS_H

#include <stdio.h>

typedef struct gnbv_tls_front gnbv_tls_front;

typedef struct gnbv_tls_front_opts {
	/* The public address: "ADDR:PORT", "[ADDR6]:PORT" or "PORT" (every
	 * IPv4 interface); numeric, as civetweb's listening_ports. Port 0:
	 * the system picks one (gnbv_tls_front_port). */
	const char *listen;
	/* PEM file: the certificate chain (the server's certificate first,
	 * then the intermediates) and the unencrypted private key. */
	const char *cert_file;
	/* "127.0.0.1:PORT": where civetweb serves plain HTTP. */
	const char *backend;
	/* Connections open at once, handshakes included; one more is closed
	 * at once (it costs no thread and no handshake). */
	int max_connections;
	/* The handshake must finish within this time. */
	int handshake_timeout_ms;
	/* A client that takes no byte of a response for this long is cut
	 * (one that stopped reading, or vanished without a word). */
	int write_timeout_ms;
	/* Nothing moved either way for this long: the connection is cut. A
	 * backstop: civetweb's request and keep-alive timeouts end idle
	 * connections first, so this is longer than both. */
	int idle_timeout_ms;
	/* Where the front reports (a backend it cannot reach, the refusals
	 * counted at stop); never one line per connection. */
	FILE *log;
	/* NULL or "": off. Otherwise a second address (the same forms as
	 * listen) where plain HTTP requests get a 301 (GET, HEAD) or 308
	 * (other methods) to the same path and query on https, and nothing
	 * else: no page, no session, no cookie. Its connections share the
	 * cap and the timeouts above (the request line must arrive within
	 * handshake_timeout_ms). It may not be the same address as listen. */
	const char *redirect_listen;
	/* "https://HOST[:PORT]": the redirect's target, never the request's
	 * Host header. NULL or "": https:// + listen's host and the bound
	 * port (":443" left out); a wildcard listen (0.0.0.0, [::], a bare
	 * port) then has no name to redirect to and is refused. */
	const char *redirect_origin;
	/* The short bodies of the redirect and of a 400 (a malformed or too
	 * long request line): text/plain, UTF-8, Vietnamese first; copied
	 * (up to 511 and 255 bytes). */
	const char *redirect_text;
	const char *bad_request_text;
} gnbv_tls_front_opts;

#define GNBV_TLS_FRONT_OPTS_INIT                                                                   \
	{                                                                                          \
		NULL, NULL, NULL, 256, 10000, 10000, 60000, NULL, NULL, NULL, NULL, NULL           \
	}

/* Loads the certificate and key (checking that they match), binds and
 * listens on opts->listen (and redirect_listen), and starts accepting on a
 * thread of its own. Nothing is left open on failure. Errors: GNBV_EIO
 * (the file cannot be read, an address cannot be bound), GNBV_EINVALID (no
 * certificate or key in the file, a key that does not match, an encrypted
 * key, a bad address, a redirect_listen equal to listen, a
 * redirect_origin that is not https://HOST[:PORT], no name to redirect
 * to), GNBV_ENOMEM; every message names the file or the address.
 * Threads: the front's own (an acceptor, one per connection); SIGPIPE is
 * blocked in them, so a vanished client never ends the process. */
int gnbv_tls_front_start(gnbv_tls_front **out, const gnbv_tls_front_opts *opts);

/* The public port as bound. */
int gnbv_tls_front_port(const gnbv_tls_front *f);

/* The redirect's port as bound; -1 without redirect_listen. */
int gnbv_tls_front_redirect_port(const gnbv_tls_front *f);

/* The redirect's target origin ("https://HOST[:PORT]"); "" without
 * redirect_listen. Owned by the front. */
const char *gnbv_tls_front_redirect_origin(const gnbv_tls_front *f);

/* Stops accepting: the listener is closed; connections open go on. For a
 * graceful stop: this, then stop the backend (its responses in flight are
 * relayed as it closes its connections), then gnbv_tls_front_stop. */
void gnbv_tls_front_stop_accepting(gnbv_tls_front *f);

/* Stops accepting if still accepting, ends every connection (one whose
 * backend has closed first gets what is left of the response, within
 * write_timeout_ms), joins the threads and frees everything. NULL is a
 * no-op. */
void gnbv_tls_front_stop(gnbv_tls_front *f);

#endif
