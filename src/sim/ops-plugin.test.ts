// The simulator's model of the example vendor plug-in (ops-plugin.ts): scan through the vendor tool's
// inventory, install in the update task with the tool's exit codes, a failing component, the second hop.
import { openTestSim, type SimHarness } from './test-support.js';

const SCAN = '# scan.ps1 text (data)';
const INSTALL = '# install.ps1 text (data)';
const FW = { plugin: 'Contoso.FirmwarePlugin', arguments: { Repository: '\\\\fw01\\firmware' } } as const;

function fixture(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'LAB',
    timing: { scanSeconds: 10, installSeconds: 200 },
    nodes: [
      {
        name: 'NODE1',
        vendorFirmware: {
          components: [
            { id: 'bios', name: 'BIOS', installedVersion: '2.1.0', availableVersion: '2.3.1' },
            { id: 'bmc', name: 'BMC', installedVersion: '5.0', availableVersion: '5.0' },
            { id: 'nic', name: 'NIC', installedVersion: '9.2', availableVersion: '9.4', exitCode: 0, fails: { times: 1, exitCode: 1603 } },
          ],
        },
      },
      { name: 'NODE2' },
    ],
    ...extra,
  };
}

let h: SimHarness;
afterEach(() => h?.cleanup());

async function install(node: string, ids: string[], taskId: string): Promise<Record<string, unknown>> {
  // The node must be drained first (invariant 8), as for any install.
  await h.ok(node, 'suspend-node', { name: node, forceDrain: false, timeoutSeconds: 600 });
  await h.ok(node, 'start-update-task', { ...FW, mode: 'Install', updateIds: ids, taskId, pluginScript: INSTALL });
  return h.ok(node, 'wait-update-task', { taskId, timeoutSeconds: 3600 });
}

describe('the example vendor plug-in on the simulator', () => {
  it('scan lists the components whose repository version differs, each needing a restart', async () => {
    h = openTestSim(fixture());
    const scan = await h.ok('NODE1', 'scan-updates', { ...FW, pluginScript: SCAN });
    expect(scan.updates).toEqual([
      { updateId: 'contoso-fw:bios:2.3.1', title: 'Contoso BIOS firmware 2.3.1 (installed 2.1.0)', kb: '', rebootRequired: true },
      { updateId: 'contoso-fw:nic:9.4', title: 'Contoso NIC firmware 9.4 (installed 9.2)', kb: '', rebootRequired: true },
    ]);
  });

  it('a node without the vendor tool fails the scan, naming the plug-in and the node', async () => {
    h = openTestSim(fixture());
    const outcome = await h.run('NODE2', 'scan-updates', { ...FW, pluginScript: SCAN });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'SCRIPT_ERROR', message: expect.stringMatching(/Contoso\.FirmwarePlugin scan\.ps1 failed on NODE2/) } });
  });

  it('the scan reads a share: without network credentials it is denied, as on Windows', async () => {
    h = openTestSim(fixture({ passwordHeld: false }));
    const outcome = await h.run('NODE1', 'scan-updates', { ...FW, pluginScript: SCAN });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'NETWORK_CREDENTIAL_REQUIRED' } });
  });

  it('the catalogue refuses a script plug-in without its script, and a built-in with one', async () => {
    h = openTestSim(fixture());
    expect(await h.run('NODE1', 'scan-updates', FW)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/pluginScript: Contoso\.FirmwarePlugin is a script plug-in: its script must be sent/) } });
    expect(await h.run('NODE1', 'scan-updates', { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {}, pluginScript: SCAN })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/takes no script/) } });
  });

  it('install applies in the update task: 3010 is Succeeded with a restart; a fault fails one component once', async () => {
    h = openTestSim(fixture());
    const first = await install('NODE1', ['contoso-fw:bios:2.3.1', 'contoso-fw:nic:9.4'], 'fw-1');
    expect(first).toMatchObject({
      state: 'Completed',
      rebootRequired: true,
      results: [
        { updateId: 'contoso-fw:bios:2.3.1', resultCode: 'Succeeded', errorCode: '0x0', rebootRequired: true },
        { updateId: 'contoso-fw:nic:9.4', resultCode: 'Failed', errorCode: '0x00000643', rebootRequired: false },
      ],
    });
    expect(h.sim.audit().virtualSeconds).toBeGreaterThanOrEqual(200);
    // The failed component is still offered; the applied one is not.
    const rescan = await h.ok('NODE1', 'scan-updates', { ...FW, pluginScript: SCAN });
    expect((rescan.updates as Array<{ updateId: string }>).map((u) => u.updateId)).toEqual(['contoso-fw:nic:9.4']);
    const second = await h.ok('NODE1', 'start-update-task', { ...FW, mode: 'Install', updateIds: ['contoso-fw:nic:9.4'], taskId: 'fw-2', pluginScript: INSTALL });
    expect(second).toEqual({ taskId: 'fw-2', alreadyStarted: false });
    expect(await h.ok('NODE1', 'wait-update-task', { taskId: 'fw-2', timeoutSeconds: 3600 })).toMatchObject({ rebootRequired: false, results: [{ resultCode: 'Succeeded' }] });
    expect(h.sim.audit().violations).toEqual([]);
  });

  it('an id the plug-in never issued fails with E_INVALIDARG; a repeated install is a violation', async () => {
    h = openTestSim(fixture());
    expect(await install('NODE1', ['KB5031364', 'contoso-fw:bios:2.3.1'], 'fw-1')).toMatchObject({ results: [{ resultCode: 'Failed', errorCode: '0x80070057' }, { resultCode: 'Succeeded' }] });
    await h.ok('NODE1', 'start-update-task', { ...FW, mode: 'Install', updateIds: ['contoso-fw:bios:2.3.1'], taskId: 'fw-2', pluginScript: INSTALL });
    expect(await h.ok('NODE1', 'wait-update-task', { taskId: 'fw-2', timeoutSeconds: 3600 })).toMatchObject({ results: [{ resultCode: 'AlreadyInstalled' }] });
    expect(h.sim.audit().violations).toEqual([expect.stringMatching(/NODE1 was given contoso-fw:bios:2\.3\.1 to install again/)]);
  });

  it('an install on a node that is not drained is a violation, as for the built-ins', async () => {
    h = openTestSim(fixture());
    await h.ok('NODE1', 'start-update-task', { ...FW, mode: 'Install', updateIds: ['contoso-fw:bios:2.3.1'], taskId: 'fw-1', pluginScript: INSTALL });
    expect(h.sim.audit().violations).toEqual([expect.stringMatching(/NODE1 was given an update install while it was not drained/)]);
  });

  it('Download has nothing to do: it ends at once with no results', async () => {
    h = openTestSim(fixture());
    await h.ok('NODE1', 'start-update-task', { ...FW, mode: 'Download', updateIds: ['contoso-fw:bios:2.3.1'], taskId: 'st-1', pluginScript: INSTALL });
    expect(await h.ok('NODE1', 'wait-update-task', { taskId: 'st-1', timeoutSeconds: 10 })).toEqual({ state: 'Completed', results: [], rebootRequired: false, message: 'Download finished' });
  });

  it('the fixture names the field of a bad vendor tool entry', () => {
    expect(() => openTestSim(fixture({ nodes: [{ name: 'NODE1', vendorFirmware: { plugin: 'contoso', components: [{ id: 'bios', name: 'BIOS', installedVersion: '1', availableVersion: '2', fails: { times: 1, exitCode: 3010 } }] } }] }))).toThrow(
      /nodes\[0\]\.vendorFirmware\.plugin: expected a dotted plug-in name[\s\S]*nodes\[0\]\.vendorFirmware\.components\[0\]\.fails\.exitCode: a failure exits with anything but 0, 2 or 3010/,
    );
  });
});
