/**
 * Credentials for real transports, resolved in one place: the user from `--username`, the password from
 * CAUCTL_PASSWORD, `--password-file` or a TTY prompt — never from argv. The password is read lazily (only
 * when a node asks to authenticate) and cached in this closure only.
 */
import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';
import type { GlobalProfile } from './global-options.js';
import type { CliIo } from './io.js';

export function passwordSource(globals: GlobalProfile, io: CliIo): () => Promise<string> {
  let cached: string | undefined;
  return async () => {
    if (cached !== undefined) return cached;
    if (globals.passwordFile !== undefined) {
      let text: string;
      try {
        text = readFileSync(globals.passwordFile, 'utf8');
      } catch (error) {
        throw usageError('PASSWORD_FILE_UNREADABLE', `The password file ${globals.passwordFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
          hint: 'Check the path and its permissions (it should be readable by you only).',
        });
      }
      cached = text.split(/\r?\n/)[0] ?? '';
    } else if (io.env.CAUCTL_PASSWORD !== undefined) {
      cached = io.env.CAUCTL_PASSWORD;
    } else if (io.stdinIsTty) {
      cached = await io.promptSecret(`Password for ${globals.username ?? 'the WinRM account'}: `);
    } else {
      throw usageError('PASSWORD_REQUIRED', `No password for ${globals.username ?? 'the WinRM account'}: stdin is not a terminal to ask on.`, {
        hint: 'Set CAUCTL_PASSWORD in the environment or pass --password-file <path>; a password is never taken from the command line.',
      });
    }
    return cached;
  };
}

/** `--node-address NODE1=10.0.0.11[:5985]` entries → a resolver for the transport. */
export function endpointResolver(entries: readonly string[]): (node: string) => { host: string; port?: number } {
  const map = new Map<string, { host: string; port?: number }>();
  for (const entry of entries) {
    const m = /^([^=\s]+)=([^:\s]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?$/.exec(entry.trim());
    if (m === null) {
      throw usageError('USAGE_NODE_ADDRESS', `--node-address must look like NAME=HOST or NAME=HOST:PORT (got ${JSON.stringify(entry)}).`);
    }
    const port = m[3] === undefined ? undefined : Number(m[3]);
    if (port !== undefined && (port < 1 || port > 65535)) throw usageError('USAGE_NODE_ADDRESS', `--node-address ${entry}: the port must be 1-65535.`);
    map.set(m[1]!.toUpperCase(), { host: m[2]!.replace(/^\[|\]$/g, ''), ...(port === undefined ? {} : { port }) });
  }
  return (node) => map.get(node.toUpperCase()) ?? { host: node };
}
