#!/usr/bin/python3
# An independent server-side WS-Man peer for the interop tests (issue 19): nothing of cauctl's code runs here.
# - NTLM acceptor and sealing: gss-ntlmssp through python3-gssapi (gss wrap / unwrap);
# - multipart/encrypted framing (MS-WSMV 2.2.9.1): pywinrm's own `winrm.encryption.Encryption`, used as a
#   library with the gssapi context as its session security;
# - envelopes: Python's xml.etree.ElementTree, by namespace URI.
# It serves the WinRS cmd shell on 127.0.0.1 (Create, Command, Send, Receive, Signal, Delete) with a fake
# PowerShell behind each command that plays cauctl's bootstrap contract from the outside: the first stdin line
# is the bootstrap as base64 (answered with a READY line), each later line a JSON payload answered with one
# marked result line echoing its parameters. Prints {"port": N} on its first stdout line; a line "stats" on
# stdin prints the request log; end of stdin stops it. Users come from NTLM_USER_FILE (DOMAIN:user:password).
import base64
import json
import sys
import threading
import uuid
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gssapi
from winrm.encryption import Encryption

NTLMSSP = gssapi.OID.from_int_seq('1.3.6.1.4.1.311.2.2.10')
NS = {
    's': 'http://www.w3.org/2003/05/soap-envelope',
    'a': 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
    'w': 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
    'rsp': 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
}
SHELL = NS['rsp']
ACTION = {
    'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create': 'Create',
    'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete': 'Delete',
    SHELL + '/Command': 'Command',
    SHELL + '/Send': 'Send',
    SHELL + '/Receive': 'Receive',
    SHELL + '/Signal': 'Signal',
}
ENCRYPTED = 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"'

LOCK = threading.Lock()
LOG = []
SHELLS = {}


class GssSessionSecurity:
    """What pywinrm's Encryption expects of `session.auth.session_security`, over a gssapi context."""

    def __init__(self, context):
        self.context = context

    def wrap(self, message):
        token = self.context.wrap(message, True).message
        return token[16:], token[:16]

    def unwrap(self, message, signature):
        return self.context.unwrap(signature + message).message


class _Auth:
    def __init__(self, security):
        self.session_security = security


class _Session:
    def __init__(self, security):
        self.auth = _Auth(security)


class _Body:
    def __init__(self, content):
        self.content = content


def fault(relates_to, code, subcode, text):
    return (
        '<s:Envelope xmlns:s="%s" xmlns:a="%s" xmlns:w="%s"><s:Header><a:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</a:Action>'
        '<a:RelatesTo>%s</a:RelatesTo></s:Header><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:%s</s:Value>'
        '</s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">%s</s:Text></s:Reason><s:Detail>'
        '<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="%d" Machine="peer"><f:Message>%s</f:Message>'
        '</f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>' % (NS['s'], NS['a'], NS['w'], relates_to, subcode, text, code, text)
    )


def reply(action, relates_to, body):
    return (
        '<s:Envelope xmlns:s="%s" xmlns:a="%s" xmlns:w="%s" xmlns:rsp="%s" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer">'
        '<s:Header><a:Action>%sResponse</a:Action><a:MessageID>uuid:%s</a:MessageID><a:RelatesTo>%s</a:RelatesTo></s:Header>'
        '<s:Body>%s</s:Body></s:Envelope>' % (NS['s'], NS['a'], NS['w'], NS['rsp'], action, str(uuid.uuid4()).upper(), relates_to, body)
    )


class FakePowerShell:
    """The bootstrap contract seen from outside: READY after the bootstrap line, one result line per payload."""

    def __init__(self, command_line):
        self.command_line = command_line
        self.partial = b''
        self.out = b''
        self.started = False
        self.done = False

    def feed(self, data, end):
        self.partial += data
        while b'\n' in self.partial:
            line, self.partial = self.partial.split(b'\n', 1)
            self.run(line.rstrip(b'\r').decode('utf-8'))
        if end:
            if self.partial:
                self.run(self.partial.decode('utf-8'))
            self.partial = b''
            self.done = True

    def run(self, line):
        if not line.strip():
            return
        if not self.started:
            text = base64.b64decode(line).decode('utf-8')
            if '<<<CAUCTL-READY>>>' not in text:
                raise ValueError('the first stdin line is not the bootstrap')
            self.started = True
            self.out += b'<<<CAUCTL-READY>>>\r\n'
            return
        payload = json.loads(line)
        result = {'meta': {'seq': payload.get('seq'), 'memoryMB': 60, 'warnings': []}, 'ok': True, 'data': {'echo': payload.get('params'), 'peer': 'python'}}
        text = json.dumps(result, ensure_ascii=True).replace('<', '\\u003c').replace('>', '\\u003e')
        self.out += ('<<<CAUCTL-RESULT>>>' + text + '<<<CAUCTL-END>>>\r\n').encode('ascii')


def dispatch(xml):
    root = ET.fromstring(xml)
    header = root.find('s:Header', NS)
    body = root.find('s:Body', NS)
    action = ACTION.get(header.findtext('a:Action', '', NS).strip(), 'Unknown')
    rel = header.findtext('a:MessageID', '', NS).strip()
    shell_id = None
    for selector in header.findall('w:SelectorSet/w:Selector', NS):
        if selector.get('Name') == 'ShellId':
            shell_id = selector.text
    with LOCK:
        LOG.append(action)
        if action == 'Create':
            new_id = str(uuid.uuid4()).upper()
            SHELLS[new_id] = {}
            return 200, reply(
                'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create', rel,
                '<x:ResourceCreated><a:ReferenceParameters><w:SelectorSet><w:Selector Name="ShellId">%s</w:Selector>'
                '</w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>' % new_id)
        shell = SHELLS.get(shell_id)
        if shell is None:
            return 500, fault(rel, 2150858843, 'InvalidSelectors', 'The request for the Windows Remote Shell with ShellId failed because the shell was not found on the server.')
        full = header.findtext('a:Action', '', NS).strip()
        if action == 'Delete':
            del SHELLS[shell_id]
            return 200, reply(full, rel, '')
        if action == 'Command':
            line = body.find('rsp:CommandLine', NS)
            words = [line.findtext('rsp:Command', '', NS)] + [a.text or '' for a in line.findall('rsp:Arguments', NS)]
            command_id = str(uuid.uuid4()).upper()
            shell[command_id] = FakePowerShell(' '.join(words))
            return 200, reply(full, rel, '<rsp:CommandResponse><rsp:CommandId>%s</rsp:CommandId></rsp:CommandResponse>' % command_id)
        if action == 'Send':
            stream = body.find('rsp:Send/rsp:Stream', NS)
            process = shell.get(stream.get('CommandId'))
            if process is None:
                return 500, fault(rel, 2150858843, 'InvalidSelectors', 'The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist.')
            process.feed(base64.b64decode(stream.text or ''), (stream.get('End') or '').lower() == 'true')
            return 200, reply(full, rel, '<rsp:SendResponse/>')
        if action == 'Receive':
            command_id = body.find('rsp:Receive/rsp:DesiredStream', NS).get('CommandId')
            process = shell.get(command_id)
            if process is None:
                return 500, fault(rel, 2150858843, 'InvalidSelectors', 'The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist.')
            if not process.out and not process.done:
                return 500, fault(rel, 2150858793, 'TimedOut', 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.')
            out, process.out = process.out, b''
            state = 'Done' if process.done else 'Running'
            exit_code = '<rsp:ExitCode>0</rsp:ExitCode>' if process.done else ''
            end = ' End="true"' if process.done else ''
            return 200, reply(full, rel, (
                '<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="%s"%s>%s</rsp:Stream>'
                '<rsp:Stream Name="stderr" CommandId="%s"%s></rsp:Stream>'
                '<rsp:CommandState CommandId="%s" State="%s/CommandState/%s">%s</rsp:CommandState></rsp:ReceiveResponse>'
            ) % (command_id, end, base64.b64encode(out).decode('ascii'), command_id, end, command_id, SHELL, state, exit_code))
        if action == 'Signal':
            command_id = body.find('rsp:Signal', NS).get('CommandId')
            shell.pop(command_id, None)
            return 200, reply(full, rel, '<rsp:SignalResponse/>')
        return 500, fault(rel, 2150858771, 'ActionNotSupported', 'The action is not supported by the service.')


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    creds = None

    def setup(self):
        super().setup()
        self.context = None
        self.encryption = None

    def log_message(self, *args):
        pass

    def send(self, status, headers, body=b''):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        authz = self.headers.get('Authorization') or ''
        if authz.startswith('Negotiate '):
            token = base64.b64decode(authz[len('Negotiate '):])
            if len(token) >= 12 and token[8] == 1:
                self.context = gssapi.SecurityContext(creds=Handler.creds, usage='accept')
            try:
                out = self.context.step(token)
            except gssapi.exceptions.GSSError:
                self.context = None
                return self.send(401, [('WWW-Authenticate', 'Negotiate')])
            if not self.context.complete:
                return self.send(401, [('WWW-Authenticate', 'Negotiate ' + base64.b64encode(out).decode('ascii'))])
            self.encryption = Encryption(_Session(GssSessionSecurity(self.context)), 'ntlm')
            if not body:
                return self.send(200, [])
        if self.encryption is None:
            return self.send(401, [('WWW-Authenticate', 'Negotiate')])
        if 'multipart/encrypted' not in (self.headers.get('Content-Type') or ''):
            return self.send(401, [('WWW-Authenticate', 'Negotiate')])
        try:
            plain = self.encryption._decrypt_response(_Body(body), '127.0.0.1')
        except Exception as error:  # noqa: BLE001 - a message that does not verify is refused, and logged
            with LOCK:
                LOG.append('rejected: %s: %s' % (type(error).__name__, error))
            return self.send(400, [])
        status, xml = dispatch(plain.decode('utf-8'))
        data = xml.encode('utf-8')
        sealed = self.encryption._encrypt_message(data, '127.0.0.1') + Encryption.MIME_BOUNDARY + b'--\r\n'
        self.send(status, [('Content-Type', ENCRYPTED)], sealed)


def main():
    Handler.creds = gssapi.Credentials(usage='accept', mechs=[NTLMSSP])
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdout.write(json.dumps({'port': server.server_address[1]}) + '\n')
    sys.stdout.flush()
    for line in sys.stdin:
        if line.strip() == 'stats':
            with LOCK:
                sys.stdout.write(json.dumps({'log': LOG}) + '\n')
            sys.stdout.flush()
    server.shutdown()


if __name__ == '__main__':
    main()
