"""A minimal SMTP sink on 127.0.0.1 for tests: enough of RFC 5321 for smtplib to deliver one message."""

from __future__ import annotations

import socketserver
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message


class _Session(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        sink: SmtpSink = self.server.sink  # type: ignore[attr-defined]
        self.wfile.write(b"220 sink ready\r\n")
        while line := self.rfile.readline():
            verb = line.strip().split(b" ", 1)[0].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250-sink\r\n250 STARTTLS\r\n" if sink.tls else b"250 sink\r\n")
            elif verb == b"STARTTLS" and sink.tls:
                self.wfile.write(b"220 go ahead\r\n")
                self.wfile.flush()
                try:
                    self.connection = sink.tls.wrap_socket(self.connection, server_side=True)
                except OSError:
                    return  # the client refused the certificate, as it should have
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb", buffering=0)
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk
                sink.messages.append(message_from_bytes(body))
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"502 not implemented\r\n")


class SmtpSink:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.messages: list[Message] = []
        self.port = 0
        # With a server context, the sink offers STARTTLS with its certificate.
        self.tls = tls


@contextmanager
def smtp_sink(tls: ssl.SSLContext | None = None) -> Iterator[SmtpSink]:
    sink = SmtpSink(tls)
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Session)
    server.sink = sink  # type: ignore[attr-defined]
    sink.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
