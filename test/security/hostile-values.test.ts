// Hostile parameter values travel as data, never as code: over NTLM with sealing to the WS-Man test server,
// which checks on its side that every script is byte for byte its catalogue file, that the params arrived
// equal, and that no value reached a command line.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ClusterGateway } from '../../src/cluster/gateway.js';
import { ntlmAcceptorMissing } from '../wsman-server/ntlm-sidecar.js';
import { peersAvailable, shortFixture, startServer, type ServerHarness } from '../wsman-server/test-support.js';

const describeIf = peersAvailable('hostile values over WinRM', ntlmAcceptorMissing()) ? describe : describe.skip;

const HOSTILE: readonly string[] = [
  "'; Remove-Item -Recurse C:\\ #",
  '$(Get-Date)',
  '`whoami`; `$env:PATH',
  'a; b; Stop-Computer -Force;',
  'line one\nline two\r\n$(Invoke-Expression "calc")',
  '‘smart’ “quotes” ‚low‛ „double‟',
  '<<<CAUCTL-END>>>"}]]><x/>&amp;',
  '@{ a = 1 }; & { exit 1 }',
];

const catalogueText = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../src/cluster/scripts/${name}.ps1`, import.meta.url)), 'utf8');

describeIf('hostile values reach the node as data', () => {
  let h: ServerHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  // per-operation: one Command per operation, each payload on that process's stdin; persistent: one Command for
  // the one bootstrap, one Send per payload line. Either way no value is ever on a command line.
  it.each([
    { mode: 'per-operation' as const, commandsFor: (operations: number) => operations },
    { mode: 'persistent' as const, commandsFor: () => 1 },
  ])('$mode: round-trips every hostile value through a cluster property, the scripts untouched', async ({ mode, commandsFor }) => {
    h = await startServer({ fixture: shortFixture(), auth: ['ntlm'] });
    const gateway = new ClusterGateway(h.client({ mode }));
    const sent: Array<{ name: string; params: Record<string, unknown> }> = [];
    for (const [i, value] of HOSTILE.entries()) {
      const name = `Prop${i}${value.slice(0, 12)}`;
      const setParams = { name, value, expected: null };
      sent.push({ name: 'set-cluster-property', params: setParams });
      const set = await gateway.call('WSM01', 'set-cluster-property', setParams);
      expect(set).toEqual({ applied: true, current: value });
      sent.push({ name: 'get-cluster-property', params: { name } });
      expect(await gateway.call('WSM01', 'get-cluster-property', { name })).toEqual({ value });
    }
    // A hostile node name: the operation fails on the node, but the value still arrived as data.
    const nodeParams = { name: HOSTILE[0]!, forceDrain: false, timeoutSeconds: 5 };
    sent.push({ name: 'suspend-node', params: nodeParams });
    await expect(gateway.call('WSM01', 'suspend-node', nodeParams)).rejects.toMatchObject({ code: 'OPERATION_FAILED' });

    const { server } = h;
    expect(server.violations).toEqual([]);
    expect(server.invocations.map((i) => ({ name: i.name, params: i.params }))).toEqual(sent);
    for (const i of server.invocations) {
      expect(i.via).toBe('bootstrap');
      expect(i.script === catalogueText(i.name!)).toBe(true);
    }
    // Values went over stdin (Send), never on a command line.
    const commands = server.requests.filter((r) => r.action === 'Command').map((r) => r.xml);
    expect(commands.length).toBe(commandsFor(sent.length));
    expect(server.requests.filter((r) => r.action === 'Send').length).toBeGreaterThanOrEqual(sent.length);
    for (const xml of commands) {
      for (const marker of ['Remove-Item', 'Get-Date', 'whoami', 'Stop-Computer', 'smart', 'CAUCTL-END', 'exit 1']) expect(xml).not.toContain(marker);
    }
    expect(new Set(commands.map((xml) => /<rsp:CommandLine>[\s\S]*<\/rsp:CommandLine>/.exec(xml)?.[0])).size).toBe(1);
  });
});
