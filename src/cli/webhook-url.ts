/**
 * Where `run`'s web hook URL comes from (issue 14 §8). A Teams or Slack incoming web hook URL is its own
 * secret (the token is in its path), and a command line is not secret: every user of the host sees it in
 * `ps`, and shells keep it in their history. So the URL comes from the environment (`--notify-webhook` with
 * CAUCTL_WEBHOOK_URL set) or from a file (`--notify-webhook-file <path>`, first line), and a URL given on the
 * command line is refused before anything is touched, without being repeated. The variable alone posts
 * nothing: a rehearsal on the simulator must not post to a real channel by accident.
 * Depends on node:fs, errors and output/webhook-sink (its URL rules).
 */
import { readFileSync, statSync } from 'node:fs';
import { isAppError, usageError } from '../errors.js';
import { fsUserError } from '../platform/fs.js';
import type { CliIo } from './io.js';

/** The environment variable that holds the web hook URL. */
export const WEBHOOK_URL_VARIABLE = 'CAUCTL_WEBHOOK_URL';

export interface WebhookOptions {
  /** `--notify-webhook` alone is `true`; a value after it is a URL typed on the command line. */
  readonly notifyWebhook?: string | boolean;
  readonly notifyWebhookFile?: string;
}

const HOW = `put the URL in the environment and add --notify-webhook (${WEBHOOK_URL_VARIABLE}='https://…' cauctl run … --notify-webhook), or in a file readable by you only: --notify-webhook-file <path>`;

/** The web hook URL this run posts to, or undefined when none was asked for. */
export async function resolveWebhookUrl(options: WebhookOptions, io: CliIo): Promise<URL | undefined> {
  const { notifyWebhook, notifyWebhookFile } = options;
  if (typeof notifyWebhook === 'string') {
    throw usageError('WEBHOOK_URL_ON_COMMAND_LINE', 'A web hook URL on the command line is refused: its path is the hook\u2019s secret, and a command line is seen by every user of this host (ps) and kept in shell history. Nothing was touched.', {
      hint: `${HOW}. If the hook was real, consider rotating it.`,
    });
  }
  if (notifyWebhook === true && notifyWebhookFile !== undefined) {
    throw usageError('USAGE_CONFLICT', '--notify-webhook and --notify-webhook-file conflict.', {
      hint: `--notify-webhook takes the URL from ${WEBHOOK_URL_VARIABLE}; --notify-webhook-file from a file. Give one.`,
    });
  }
  let text: string;
  let source: string;
  if (notifyWebhookFile !== undefined) {
    source = `the file ${notifyWebhookFile}`;
    text = readWebhookFile(notifyWebhookFile, io);
  } else if (notifyWebhook === true) {
    source = WEBHOOK_URL_VARIABLE;
    const value = io.env[WEBHOOK_URL_VARIABLE];
    if (value === undefined || value.trim() === '') {
      throw usageError('WEBHOOK_URL_MISSING', `--notify-webhook takes the web hook URL from ${WEBHOOK_URL_VARIABLE}, which is not set; nothing was touched.`, {
        hint: HOW,
      });
    }
    text = value.trim();
  } else {
    return undefined;
  }
  const { parseWebhookUrl } = await import('../output/webhook-sink.js');
  try {
    return parseWebhookUrl(text);
  } catch (error) {
    if (!isAppError(error)) throw error;
    throw usageError(error.code, `The web hook URL from ${source} is not usable: ${error.message.replace(/^--notify-webhook /, 'it ')}`, error.hint === undefined ? {} : { hint: error.hint });
  }
}

function readWebhookFile(path: string, io: CliIo): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const user = fsUserError(error, path);
    throw usageError('WEBHOOK_FILE_UNREADABLE', `The web hook file ${path} cannot be read (${user?.message.replace(/^Cannot use [^:]*: /, '').replace(/\.$/, '') ?? String(error)}); nothing was touched.`, {
      hint: 'Give the path of a file whose first line is the web hook URL.',
    });
  }
  if (io.platform !== 'win32') {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      io.stderr.write(`cauctl: warning: the web hook file ${path} can be read by other users (mode ${mode.toString(8)}); its URL is the hook's secret. Make it yours only with: chmod 600 ${path}\n`);
    }
  }
  const line = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0]?.trim() ?? '';
  if (line === '') {
    throw usageError('WEBHOOK_FILE_EMPTY', `The web hook file ${path} is empty: its first line must be the web hook URL; nothing was touched.`, {
      hint: 'Write the URL the service gave you on its first line.',
    });
  }
  return line;
}
