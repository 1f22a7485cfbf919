#!/usr/bin/python3
# pywinrm (Debian python3-winrm 0.3.0) as an independent WinRM client of the WS-Man test server. Reads one JSON
# job from stdin: {"url", "transport": "basic"|"ntlm", "encryption": "auto"|"always"|"never", "username",
# "steps": [{"cmd": "echo", "args": [...]} | {"ps": "<script text>"}], "repeat": n, "warmup": n}. The password comes from
# the WINRM_PASSWORD environment variable, never argv. Prints one JSON line: per step the std_out, std_err
# (text) and status_code; with "repeat", also the wall time of the repeated steps in ms.
import json
import os
import sys
import time

import winrm


def main():
    job = json.load(sys.stdin)
    session = winrm.Session(
        job['url'],
        auth=(job['username'], os.environ['WINRM_PASSWORD']),
        transport=job['transport'],
        message_encryption=job.get('encryption', 'auto'),
        server_cert_validation='ignore',
    )

    def run(step):
        if 'ps' in step:
            # Session.run_ps crashes on any stderr in 0.3.0 (bytes vs str); its command line is this one.
            from base64 import b64encode
            encoded = b64encode(step['ps'].encode('utf_16_le')).decode('ascii')
            r = session.run_cmd('powershell -encodedcommand {0}'.format(encoded))
        else:
            r = session.run_cmd(step['cmd'], step.get('args', []))
        return {'stdout': r.std_out.decode('utf-8', 'replace'), 'stderr': r.std_err.decode('utf-8', 'replace'), 'status': r.status_code}

    if job.get('repeat'):
        # Benchmark mode: session.run_ps, pywinrm's usual way (one shell per command).
        results = []
        for _ in range(job.get('warmup', 0)):
            for step in job['steps']:
                session.run_ps(step['ps'])
        started = time.perf_counter()
        for _ in range(job['repeat']):
            for step in job['steps']:
                r = session.run_ps(step['ps'])
                results.append(r.status_code)
        elapsed = (time.perf_counter() - started) * 1000
        print(json.dumps({'elapsedMs': elapsed, 'statuses': results}))
        return
    print(json.dumps({'results': [run(step) for step in job['steps']]}))


if __name__ == '__main__':
    main()
