/**
 * Picks a transport by name (`--transport`). The only shipped module that imports sim/, and the only one that
 * knows the concrete transports; everything else sees the Transport interface. Each is loaded lazily, so a
 * command pays only for the transport it uses.
 */
import type { Simulator, SimulatorOptions } from '../sim/index.js';
import type { RecordingOptions } from './replay/recording-transport.js';
import type { ReplayTransport } from './replay/replay-transport.js';
import type { Transport } from './transport.js';

export type TransportName = 'simulator' | 'winrm' | 'local-pwsh' | 'replay';

/** Transports this build implements; `--transport` accepts only these. */
export function availableTransports(): TransportName[] {
  return ['winrm', 'local-pwsh', 'simulator', 'replay'];
}

/** Validates a rehearsal model (the fixture schema): exit 2 FIXTURE_INVALID listing every problem by its path. */
export async function validateClusterModel(raw: unknown, source: string): Promise<unknown> {
  const { parseFixture } = await import('../sim/fixture.js');
  return parseFixture(raw, source);
}

/** `--record`: the recorder around any transport (docs/recordings.md). */
export async function createRecordingTransport(inner: Transport, options: RecordingOptions): Promise<Transport> {
  const { RecordingTransport } = await import('./replay/recording-transport.js');
  return new RecordingTransport(inner, options);
}

/** `--transport replay --replay <dir>`: a recording answers every operation. */
export async function openReplay(dir: string): Promise<ReplayTransport> {
  const { openReplayTransport } = await import('./replay/replay-transport.js');
  return openReplayTransport(dir);
}

/** Opens the rehearsal model. */
export async function openSimulatorTransport(options: SimulatorOptions): Promise<Simulator> {
  const { openSimulator } = await import('../sim/index.js');
  return openSimulator(options);
}

export interface WinRmFactoryOptions {
  readonly port?: number;
  readonly useSsl: boolean;
  readonly authentication: 'Negotiate' | 'Ntlm' | 'Basic' | 'Kerberos';
  readonly username: string;
  readonly password: () => Promise<string>;
  readonly caFile?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly allowUnencrypted: boolean;
  readonly resolveEndpoint: (node: string) => { host: string; port?: number };
  /** @default 'per-operation' */
  readonly mode?: 'per-operation' | 'persistent';
  /** @default 1800 */
  readonly idleTimeoutSeconds?: number;
  readonly logger?: { debug(message: string, fields?: Record<string, unknown>): void };
}

export async function createWinRmTransport(options: WinRmFactoryOptions): Promise<Transport> {
  const { WinRmTransport } = await import('./winrm/winrm-transport.js');
  return new WinRmTransport(options);
}

export interface LocalPwshFactoryOptions {
  readonly executable?: string;
  readonly env: NodeJS.ProcessEnv;
}

export async function createLocalPwshTransport(options: LocalPwshFactoryOptions): Promise<Transport> {
  const { createLocalPwshTransport: create } = await import('./local-pwsh/local-pwsh-transport.js');
  return create({ env: options.env, ...(options.executable ? { executable: options.executable } : {}) });
}
