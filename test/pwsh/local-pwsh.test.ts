// End to end through the local-pwsh transport with the real pwsh from .tools: ad-hoc invocations that need no
// cluster come back through the normal path, errors keep their codes, remoting failures become connection
// errors, and a hung script is cut off by the timeout.
import { AppError } from '../../src/errors.js';
import type { Clock } from '../../src/platform/clock.js';
import { LocalPwshTransport } from '../../src/transport/local-pwsh/local-pwsh-transport.js';
import { describeWithPwsh } from './pwsh-path.js';

describeWithPwsh('local-pwsh transport with real pwsh', (pwsh) => {
  const direct = (): LocalPwshTransport => new LocalPwshTransport({ executable: pwsh, runLocalhostDirectly: true });

  it('runs a node-status-like probe on localhost and returns its data', async () => {
    const probe = {
      name: 'probe',
      script: [
        '[CmdletBinding()] param([Parameter(Mandatory)][string]$echo)',
        'Set-StrictMode -Version Latest',
        "$boot = [DateTime]::UtcNow.AddSeconds(-[Environment]::TickCount64 / 1000).ToString('o')",
        '@{ node = [Environment]::MachineName; lastBootUpTime = $boot; psVersion = $PSVersionTable.PSVersion.ToString(); echo = $echo }',
      ].join('\n'),
      params: { echo: "'; Remove-Item -Recurse C:\\ # $(Get-Date) `n \u201c\u201d $env:PATH" },
    };
    const outcome = await direct().run('localhost', probe);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const data = outcome.data as Record<string, string>;
    expect(data['echo']).toBe(probe.params.echo);
    expect(data['psVersion']).toMatch(/^7\./);
    expect(Number.isNaN(Date.parse(data['lastBootUpTime']!))).toBe(false);
    expect(data['node']!.length).toBeGreaterThan(0);
  });

  it('starts with only the allow-listed environment: a planted CAUCTL_PASSWORD is not there, PATH is (issue 14 §8)', async () => {
    const transport = new LocalPwshTransport({ executable: pwsh, runLocalhostDirectly: true, env: { ...process.env, CAUCTL_PASSWORD: 'planted-secret', GITHUB_TOKEN: 'ghp_planted' } });
    const outcome = await transport.run('localhost', {
      name: 'env-probe',
      script: "Set-StrictMode -Version Latest\n@{ password = $env:CAUCTL_PASSWORD; token = $env:GITHUB_TOKEN; hasPath = -not [string]::IsNullOrEmpty($env:PATH) }",
      params: {},
    });
    expect(outcome).toMatchObject({ ok: true, data: { password: null, token: null, hasPath: true } });
  }, 30_000);

  it('returns a failing script as ok:false with its code', async () => {
    const outcome = await direct().run('.', { name: 'x', script: 'Get-ClusterNode', params: {} });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'MISSING_FEATURE' } });
  });

  it('turns an Invoke-Command failure into a connection error (exit 4) naming the node', async () => {
    const transport = new LocalPwshTransport({ executable: pwsh });
    let error: unknown;
    try {
      await transport.run('node1.example.invalid', { name: 'x', script: '1', params: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).exitCode).toBe(4);
    expect(['TRANSPORT_UNREACHABLE', 'TRANSPORT_AUTH_REFUSED']).toContain((error as AppError).code);
    expect((error as AppError).message).toContain('node1.example.invalid');
  });

  it('cuts off a script that outlives timeoutMs with TRANSPORT_TIMEOUT, killing the whole process tree', async () => {
    // A clock whose deadline has always passed: no real waiting, and the hung script must still be killed
    // (a dotnet-tool pwsh is a launcher plus a child; killing only the launcher would hang this test).
    const expired: Clock = { now: () => 0, sleep: () => Promise.resolve() };
    const transport = new LocalPwshTransport({ executable: pwsh, runLocalhostDirectly: true, clock: expired });
    await expect(
      transport.run('localhost', { name: 'hang', script: 'Start-Sleep -Seconds 600', params: {} }, { timeoutMs: 1 }),
    ).rejects.toMatchObject({ code: 'TRANSPORT_TIMEOUT', exitCode: 4 });
  }, 30_000);

  it('stops (and kills the process tree) when the signal aborts mid-run', async () => {
    const controller = new AbortController();
    const running = direct().run('localhost', { name: 'hang', script: 'Start-Sleep -Seconds 600', params: {} }, { signal: controller.signal });
    setImmediate(() => controller.abort(new Error('operator pressed Ctrl-C')));
    await expect(running).rejects.toThrow('operator pressed Ctrl-C');
  }, 30_000);
});
