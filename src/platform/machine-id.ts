/**
 * A stable id of this machine for the cluster lock's owner. Host names are not enough (containers and cloned
 * VMs share them), so the id combines the OS machine id (/etc/machine-id, when there is one) with a random id
 * kept in the state directory, and is hashed so that neither leaves this host as it is.
 * Depends on node:fs, node:crypto and platform/fs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createFileOnce, readTextIfExists } from './fs.js';

const OS_MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'];

/** The machine id, or undefined when the state directory cannot keep one (the host name then decides). */
export function machineIdFor(stateDir: string): string | undefined {
  let os = '';
  for (const file of OS_MACHINE_ID_FILES) {
    try {
      os = readTextIfExists(file)?.trim() ?? '';
    } catch {
      os = '';
    }
    if (os !== '') break;
  }
  const path = join(stateDir, 'machine-id');
  try {
    let local = readTextIfExists(path)?.trim();
    if (local === undefined) {
      // Created once: two first commands at the same moment (a run and a get-run beside it) must not each keep
      // an id of their own, or the run's lock would later read as another machine's (never cleared as dead).
      const mine = randomUUID();
      local = createFileOnce(path, `${mine}\n`, { durable: true }) ? mine : readTextIfExists(path)?.trim();
    }
    if (local === undefined || local === '') return undefined;
    return createHash('sha256').update(`cauctl-machine:${os}:${local}`).digest('hex').slice(0, 32);
  } catch {
    return undefined;
  }
}
