// Interop: pywinrm (Debian python3-winrm 0.3.0, a client nobody here wrote) runs commands against the WS-Man
// test server, with Basic and with NTLM plus message encryption, so the server's wire format is checked by an
// independent peer before our own client is judged by it.
import { buildInvocation } from '../../src/cluster/invocation.js';
import { ntlmAcceptorMissing } from '../wsman-server/ntlm-sidecar.js';
import { PASSWORD, USER, peersAvailable, shortFixture, startServer, type ServerHarness } from '../wsman-server/test-support.js';
import { pywinrmMissing, runPywinrm } from './peers.js';

const missing = pywinrmMissing() ?? ntlmAcceptorMissing();
const describeIf = peersAvailable('pywinrm interop tests', missing) ? describe : describe.skip;

// A catalogue script short enough for pywinrm's run_ps, whose `powershell -encodedcommand <script>` goes
// through cmd.exe and its 8,191-character line (get-node-status has outgrown it).
const getStoragePools = buildInvocation('get-storage-pools', {}).script;

describe.each([
  { name: 'Basic', transport: 'basic' as const, encryption: 'never' as const },
  { name: 'NTLM with message encryption', transport: 'ntlm' as const, encryption: 'always' as const },
])('pywinrm against the WS-Man test server: $name', ({ transport, encryption }) => {
  let h: ServerHarness;
  afterEach(async () => {
    await h?.close();
  });

  describeIf('', () => {
    it('runs cmd commands and a catalogue script, and reads exit codes', async () => {
      h = await startServer({ fixture: shortFixture() });
      const url = `http://127.0.0.1:${h.server.ports['N1']}/wsman`;
      const { results } = await runPywinrm(
        { url, transport, encryption, username: USER, steps: [{ cmd: 'echo', args: ['hello', 'peer'] }, { cmd: 'exit /b 3' }, { ps: getStoragePools }] },
        PASSWORD,
      );
      expect(results[0]).toEqual({ stdout: 'hello peer\r\n', stderr: '', status: 0 });
      expect(results[1]).toMatchObject({ status: 3 });
      expect(results[2]!.status).toBe(0);
      expect(JSON.parse(results[2]!.stdout)).toMatchObject({ pools: expect.any(Array) });

      const { server } = h;
      expect(server.violations).toEqual([]);
      expect(server.invocations.map((i) => [i.via, i.name])).toEqual([['encoded-script', 'get-storage-pools']]);
      // pywinrm's way: a shell per command, Signal and Delete after each.
      expect(server.requests.map((r) => r.action).slice(0, 5)).toEqual(['Create', 'Command', 'Receive', 'Signal', 'Delete']);
      expect(server.requests.every((r) => r.auth === transport && r.encrypted === (transport === 'ntlm'))).toBe(true);
      if (transport === 'ntlm') expect(server.stats('N1').handshakes).toBe(1);
    });

    it('polls again after w:TimedOut while a command runs', async () => {
      // timeout /t 2 sleeps 2 virtual seconds: 400 ms of real time at 5x, against Receives held 40 ms.
      h = await startServer({ fixture: shortFixture(), speed: 5, receiveHoldMs: 40 });
      const url = `http://127.0.0.1:${h.server.ports['N2']}/wsman`;
      const { results } = await runPywinrm({ url, transport, encryption, username: USER, steps: [{ cmd: 'timeout', args: ['/t', '2'] }] }, PASSWORD);
      expect(results[0]).toMatchObject({ status: 0, stdout: expect.stringContaining('Waiting for 2 seconds') });
      expect(h.server.stats('N2').timedOut).toBeGreaterThan(0);
    });

    it('is refused with a wrong password', async () => {
      h = await startServer({ fixture: shortFixture() });
      const url = `http://127.0.0.1:${h.server.ports['N1']}/wsman`;
      await expect(runPywinrm({ url, transport, encryption, username: USER, steps: [{ cmd: 'echo', args: ['x'] }] }, 'not-the-password')).rejects.toThrow(
        /InvalidCredentialsError|401|credentials/i,
      );
      expect(h.server.requests).toEqual([]);
    });
  });
});
