#!/usr/bin/python3
# An independent Kerberos acceptor for the real-KDC tests (issue 20 §5): a WS-Man-shaped HTTPS endpoint whose
# authentication is MIT Kerberos through python3-gssapi, with the service key from the keytab in KRB5_KTNAME.
# Nothing of cauctl's code runs here. Like HTTP.sys, authentication belongs to the TCP connection: an
# unauthenticated POST gets 401 with the offered schemes; `Authorization: <scheme> <token>` is fed to one
# acceptor context per connection; once complete the 200 carries the final (mutual authentication) token, and
# later POSTs on that connection get `<reply>BODY</reply>`.
# A token it refuses gets a 401 carrying the acceptor's error token (a KRB-ERROR) when GSSAPI made one.
# Argv: one JSON object {cert, key, offers: [..], mode}; mode is 'normal', 'no-mutual' (200 without the final
# token), 'bad-mutual' (a corrupted final token), 'no-error-token' (a refusal is a bare 401 with the offers),
# 'after-auth-401' or 'close' (Connection: close after each authenticated reply). Prints {"port": N} on its first stdout line; a line "log" on stdin prints {"log": [...]}
# (one entry per request); end of stdin stops it.
import base64
import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gssapi

CONFIG = json.loads(sys.argv[1])
OFFERS = CONFIG.get('offers', ['Negotiate', 'Kerberos', 'Basic realm="WSMAN"'])
MODE = CONFIG.get('mode', 'normal')
LOCK = threading.Lock()
LOG = []
CONNECTIONS = [0]
# The service's own credentials, from the keytab (KRB5_KTNAME); any principal in it may be asked for.
CREDS = gssapi.Credentials(usage='accept')


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def setup(self):
        super().setup()
        with LOCK:
            CONNECTIONS[0] += 1
            self.connection_id = CONNECTIONS[0]
        self.context = None
        self.initiator = None

    def log_message(self, *args):
        pass

    def answer(self, status, headers=(), body=b''):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def record(self, **entry):
        with LOCK:
            LOG.append({'connection': self.connection_id, **entry})

    def offers(self):
        return [('WWW-Authenticate', offer) for offer in OFFERS]

    def do_POST(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length).decode('utf-8')
        authorization = self.headers.get('Authorization')
        if authorization is not None:
            scheme, _, token = authorization.partition(' ')
            if scheme.lower() not in [o.split(' ')[0].lower() for o in OFFERS]:
                self.record(scheme=scheme, outcome='scheme not offered')
                return self.answer(401, self.offers())
            if self.context is None:
                self.context = gssapi.SecurityContext(creds=CREDS, usage='accept')
            out = None
            try:
                out = self.context.step(base64.b64decode(token))
                complete = self.context.complete
            except gssapi.exceptions.GSSError as error:
                # python-gssapi hands out the error token (a KRB-ERROR) and raises on the next access: send it
                # back on the 401, as an acceptor that refuses an AP-REQ does, unless told not to.
                self.context = None
                self.record(scheme=scheme, outcome='refused', error=str(error).replace('\n', ' '), errorToken=bool(out))
                if out and MODE != 'no-error-token':
                    return self.answer(401, [('WWW-Authenticate', '%s %s' % (scheme, base64.b64encode(out).decode()))])
                return self.answer(401, self.offers())
            if not complete:
                self.record(scheme=scheme, outcome='continue')
                return self.answer(401, [('WWW-Authenticate', '%s %s' % (scheme, base64.b64encode(out or b'').decode()))])
            self.initiator = str(self.context.initiator_name)
            self.record(scheme=scheme, outcome='accepted', initiator=self.initiator,
                        mutual=bool(self.context.actual_flags & gssapi.RequirementFlag.mutual_authentication))
            headers = []
            if out and MODE != 'no-mutual':
                if MODE == 'bad-mutual':
                    out = bytes(out[:-8]) + bytes(b ^ 0x5A for b in out[-8:])
                headers.append(('WWW-Authenticate', '%s %s' % (scheme, base64.b64encode(out).decode())))
            return self.answer(200, headers)
        if self.initiator is None or MODE == 'after-auth-401':
            self.record(outcome='unauthenticated', body=body)
            return self.answer(401, self.offers())
        self.record(outcome='served', initiator=self.initiator, body=body)
        headers = [('Content-Type', 'application/soap+xml;charset=UTF-8')]
        if MODE == 'close':
            headers.append(('Connection', 'close'))
            self.close_connection = True
        return self.answer(200, headers, ('<reply>%s</reply>' % body).encode('utf-8'))


def main():
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(CONFIG['cert'], CONFIG['key'])
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({'port': server.server_address[1]}), flush=True)
    for line in sys.stdin:
        if line.strip() == 'log':
            with LOCK:
                print(json.dumps({'log': LOG}), flush=True)
    server.shutdown()


main()
