/* Blocking socket I/O for protocol clients (the PKCS#11 module, the CLI):
 * every wait is bounded by a timeout, no SIGPIPE is ever raised in the host
 * program, descriptors are close-on-exec, and both ends check the peer uid. */
#ifndef TV_IO_H
#define TV_IO_H

#include "tv_buf.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* $TARJETA_AGENT_SOCKET, else $XDG_RUNTIME_DIR/tarjeta-virtual/agent.sock.
 * TV_ERR_CONFIG when neither is set, TV_ERR_TOO_LARGE when it does not fit. */
int tv_agent_socket_path(char *out, size_t outsz);

/* The peer of a connected UNIX socket must run as `expected`.  TV_ERR_PEER_UID
 * otherwise.  *pid_out (if not NULL) receives the peer's pid. */
int tv_peer_check(int fd, uid_t expected, pid_t *pid_out);

/* Connect to a UNIX socket within timeout_ms and check the peer is our uid.
 * TV_ERR_NO_AGENT when nothing listens there. */
int tv_unix_connect(const char *path, int timeout_ms, int *fd_out);

/* timeout_ms < 0 waits forever; TV_ERR_TIMEOUT, TV_ERR_CLOSED, TV_ERR_IO. */
int tv_send_all(int fd, const void *p, size_t n, int timeout_ms);
/* Read exactly one frame into b (reset first), validate it against the
 * protocol table and point body at its fields. */
int tv_recv_frame(int fd, tv_buf *b, int timeout_ms, uint32_t *frame_type, tv_reader *body);

/* One exchange: send the finished request frame, read the reply.  An ERROR
 * reply is returned as its (negative) code, its text copied to errmsg when
 * given; a reply of another type than request|TV_MSG_REPLY is TV_ERR_PROTOCOL. */
int tv_call(int fd, const tv_buf *request, tv_buf *reply, int timeout_ms, tv_reader *body,
            char *errmsg, size_t errmsg_size);

#endif
