/**
 * `--record <dir>` and `--transport replay --replay <dir>` as the command line wires them: the recorder
 * around whichever transport a command opened (replies kept as the gateway validates them, secrets redacted,
 * names learnt for `--anonymize`), and the replay transport. Depends on the catalogue and the replay module.
 */
import { operations, type OperationName } from '../cluster/operations.js';
import type { Clock } from '../platform/clock.js';
import { systemClock } from '../platform/clock.js';
import { createRecordingTransport } from '../transport/factory.js';
import { Anonymizer } from '../transport/replay/anonymize.js';
import { createRedactor } from '../transport/replay/redact.js';
import type { Transport } from '../transport/transport.js';
import { VERSION } from '../version.js';
import type { GlobalProfile } from './global-options.js';

/** The reply as the gateway sees it: parsed by the operation's schema when it validates, as sent otherwise. */
export function gatewayView(op: string, data: unknown): unknown {
  const spec = (operations as Record<string, (typeof operations)[OperationName] | undefined>)[op];
  if (spec === undefined) return data;
  const parsed = spec.result.safeParse(data);
  return parsed.success ? parsed.data : data;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const records = (value: unknown): Array<Record<string, unknown>> =>
  Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object') : [];
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The cluster's own names a reply carries: the cluster, its nodes, its roles and VMs. */
export function learnNames(anonymizer: Anonymizer, op: string, data: unknown): void {
  if (data === null || typeof data !== 'object') return;
  const d = data as Record<string, unknown>;
  switch (op) {
    case 'get-cluster':
      anonymizer.add('cluster', text(d['name']));
      for (const node of records(d['nodes'])) {
        anonymizer.add('node', text(node['name']));
        for (const role of strings(node['roles'])) anonymizer.add('role', role);
      }
      break;
    case 'get-node-status':
      anonymizer.add('node', text(d['node']));
      for (const role of strings(d['runningRoles'])) anonymizer.add('role', role);
      break;
    case 'get-node-capacity':
    case 'get-vms':
      anonymizer.add('node', text(d['node']));
      for (const vm of records(d['vms'])) {
        anonymizer.add('role', text(vm['role']));
        anonymizer.add('role', text(vm['name']));
      }
      break;
    case 'get-node-setup':
      anonymizer.add('node', text(d['node']));
      break;
    case 'get-cau-role': {
      const role = d['role'] as { groupName?: unknown; possibleOwners?: unknown } | null | undefined;
      anonymizer.add('role', text(role?.groupName));
      for (const owner of strings(role?.possibleOwners)) anonymizer.add('node', owner);
      break;
    }
    default:
      break;
  }
}

/** Secrets this process holds, as they become known (a password read lazily joins when it is read). */
export class SecretList {
  private readonly values: string[] = [];

  add(value: string | undefined): void {
    if (value !== undefined && value !== '' && !this.values.includes(value)) this.values.push(value);
  }

  list(): readonly string[] {
    return this.values;
  }

  /** A password source that tells this list what it read. */
  watch(source: () => Promise<string>): () => Promise<string> {
    return async () => {
      const value = await source();
      this.add(value);
      return value;
    };
  }
}

/** Wraps `transport` in the recorder when `--record` was given; otherwise returns it as it is. */
export async function withRecording(
  transport: Transport,
  globals: GlobalProfile,
  context: { readonly clock: Clock; readonly entry: string | null; readonly secrets: SecretList; readonly warn: (message: string) => void },
): Promise<Transport> {
  if (globals.record === undefined) return transport;
  const anonymizer = globals.anonymize ? new Anonymizer() : undefined;
  return createRecordingTransport(transport, {
    dir: globals.record,
    clock: context.clock,
    redact: createRedactor(() => context.secrets.list()),
    normalize: gatewayView,
    ...(anonymizer ? { anonymize: { anonymizer, learn: (op: string, _params: unknown, data: unknown) => learnNames(anonymizer, op, data) } } : {}),
    cauctlVersion: VERSION,
    entry: context.entry,
    wallNow: () => systemClock.now(),
    onProblem: context.warn,
  });
}
