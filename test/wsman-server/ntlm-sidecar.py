#!/usr/bin/python3
# NTLM acceptor sidecar for the WS-Man test server: gss-ntlmssp (through python3-gssapi) plays the server side
# of NTLM, so the server's crypto is code nobody on the team wrote. One JSON object per line on stdin, one
# reply per line on stdout, in order. Users come from the NTLM_USER_FILE the parent sets (DOMAIN:user:password).
#
#   {"id", "op": "accept",  "ctx", "token"}                -> {"id", "ok", "token"?, "complete", "user"?}
#   {"id", "op": "wrap",    "ctx", "data"}                 -> {"id", "ok", "signature", "data"}
#   {"id", "op": "unwrap",  "ctx", "signature", "data"}    -> {"id", "ok", "data"}
#   {"id", "op": "release", "ctx"}                         -> {"id", "ok"}
# Binary values are base64. Errors: {"id", "ok": false, "error"}.
import base64
import json
import sys

import gssapi

NTLMSSP = gssapi.OID.from_int_seq('1.3.6.1.4.1.311.2.2.10')
SIGNATURE_LENGTH = 16


def b64(data):
    return base64.b64encode(data).decode('ascii')


def main():
    creds = gssapi.Credentials(usage='accept', mechs=[NTLMSSP])
    contexts = {}
    out = sys.stdout
    out.write(json.dumps({'ready': True}) + '\n')
    out.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        request = json.loads(line)
        reply = {'id': request.get('id')}
        try:
            op = request['op']
            key = request.get('ctx')
            if op == 'accept':
                ctx = contexts.get(key)
                if ctx is None:
                    ctx = gssapi.SecurityContext(creds=creds, usage='accept')
                    contexts[key] = ctx
                token = ctx.step(base64.b64decode(request['token']))
                reply['token'] = b64(token) if token else None
                reply['complete'] = bool(ctx.complete)
                if ctx.complete:
                    # gss-ntlmssp returns the initiator name NUL-terminated.
                    reply['user'] = str(ctx.initiator_name).rstrip('\x00')
            elif op == 'wrap':
                sealed = contexts[key].wrap(base64.b64decode(request['data']), True).message
                reply['signature'] = b64(sealed[:SIGNATURE_LENGTH])
                reply['data'] = b64(sealed[SIGNATURE_LENGTH:])
            elif op == 'unwrap':
                token = base64.b64decode(request['signature']) + base64.b64decode(request['data'])
                reply['data'] = b64(contexts[key].unwrap(token).message)
            elif op == 'release':
                contexts.pop(key, None)
            else:
                raise ValueError('unknown op %r' % op)
            reply['ok'] = True
        except Exception as error:  # noqa: BLE001 - every failure goes back to the parent as data
            if request.get('op') == 'accept':
                contexts.pop(request.get('ctx'), None)
            reply['ok'] = False
            reply['error'] = '%s: %s' % (type(error).__name__, error)
        out.write(json.dumps(reply) + '\n')
        out.flush()


if __name__ == '__main__':
    main()
