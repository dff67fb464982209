#!/usr/bin/env python3
"""Loopback SMTP server for trendd's delivery tests (aiosmtpd).

Usage: smtp_server.py PORT OUT_DIR MODE [CERT KEY]
MODE: starttls (STARTTLS required) | tls (implicit TLS) | none (plain).
AUTH is required when the environment holds TEST_SMTP_USER and TEST_SMTP_PASSWORD.
Each message is written as OUT_DIR/NNNN.eml and parsed with Python's `email` package into
OUT_DIR/NNNN.json (envelope, headers, MIME structure, bodies), so the tests check what a mail client sees.
"""
import email, itertools, json, os, pathlib, ssl, sys, time
from email import policy
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, out, mode = int(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
out.mkdir(parents=True, exist_ok=True)
counter = itertools.count(len(list(out.glob("*.eml"))) + 1)
user, pw = os.environ.get("TEST_SMTP_USER"), os.environ.get("TEST_SMTP_PASSWORD")


def body(m, kind):
    p = m.get_body(preferencelist=(kind,))
    return p.get_content() if p is not None else None


class Handler:
    async def handle_DATA(self, server, session, envelope):
        n = next(counter)
        raw = envelope.original_content or envelope.content
        (out / f"{n:04d}.eml").write_bytes(raw)
        m = email.message_from_bytes(raw, policy=policy.default)
        info = {
            "mail_from": envelope.mail_from,
            "rcpt": envelope.rcpt_tos,
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
            "headers": [[k, str(v)] for k, v in m.items()],
            "raw_header_lines": [l for l in raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")],
            "content_type": m.get_content_type(),
            "parts": [p.get_content_type() for p in m.walk()],
            "alternative_parts": sorted(q.get_content_type() for p in m.walk() if p.get_content_type() == "multipart/alternative" for q in p.iter_parts()),
            "charsets": [p.get_content_charset() for p in m.walk() if not p.is_multipart()],
            "defects": [str(d) for p in m.walk() for d in p.defects],
            "text": body(m, "plain"),
            "html": body(m, "html"),
        }
        (out / f"{n:04d}.json.tmp").write_text(json.dumps(info))
        os.replace(out / f"{n:04d}.json.tmp", out / f"{n:04d}.json")
        return "250 OK queued"


def auth(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == pw
    # handled=False: aiosmtpd then answers 535 itself (with its default, True, it answers nothing).
    return AuthResult(success=ok, handled=False)


kw = {}
if user is not None and pw is not None:
    kw.update(authenticator=auth, auth_required=True, auth_require_tls=(mode == "starttls"))
else:
    kw.update(auth_require_tls=False)
if mode in ("starttls", "tls"):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(sys.argv[4], sys.argv[5])
    if mode == "starttls":
        kw.update(tls_context=ctx, require_starttls=True)
    else:
        kw.update(ssl_context=ctx)
c = Controller(Handler(), hostname="127.0.0.1", port=port, **kw)
c.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    c.stop()
