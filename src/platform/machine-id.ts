/**
 * A stable id of this machine for the cluster lock's owner. Host names are not enough (containers and cloned
 * VMs share them), so the id combines the OS machine id (/etc/machine-id, when there is one) with a random id
 * kept in the state directory, and is hashed so that neither leaves this host as it is.
 * Depends on node:fs, node:crypto and platform/fs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readTextIfExists, writeFileAtomic } from './fs.js';

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
    if (local === undefined || local === '') {
      local = randomUUID();
      writeFileAtomic(path, `${local}\n`, { durable: true });
    }
    return createHash('sha256').update(`cauctl-machine:${os}:${local}`).digest('hex').slice(0, 32);
  } catch {
    return undefined;
  }
}
