/**
 * Picks a transport by name (`--transport`). The only shipped module that imports sim/, and the only one that
 * knows the concrete transports; everything else sees the Transport interface.
 */
import type { Simulator, SimulatorOptions } from '../sim/index.js';
import type { Transport } from './transport.js';

export type TransportName = 'simulator' | 'winrm' | 'local-pwsh';

/** Transports this build implements; `--transport` accepts only these. */
export function availableTransports(): TransportName[] {
  return ['simulator'];
}

/** Opens the rehearsal model. Loaded lazily so commands that do not simulate never pay for it. */
export async function openSimulatorTransport(options: SimulatorOptions): Promise<Simulator> {
  const { openSimulator } = await import('../sim/index.js');
  return openSimulator(options);
}

export interface RealTransportOptions {
  readonly name: Exclude<TransportName, 'simulator'>;
}

export async function createRealTransport(options: RealTransportOptions): Promise<Transport> {
  throw new Error(`transport ${options.name} is not part of this build`);
}
