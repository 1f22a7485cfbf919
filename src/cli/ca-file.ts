/**
 * `--ca-file` checked when the options are resolved, before any connection: a file that is missing, unreadable,
 * a folder, or holds no PEM certificate that parses is a usage error (exit 2) naming the file and what to try,
 * not a TLS failure on the first node minutes later. Its certificates replace the built-in roots for HTTPS (the
 * option's help says so). Depends on node:fs, node:crypto and platform/fs.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';
import { fsUserError } from '../platform/fs.js';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

const WHAT_IT_IS = 'the PEM file of the CA that issued the nodes\u2019 WinRM HTTPS certificates';

/** Checks the `--ca-file` at `path`; returns how many certificates it holds. */
export function checkCaFile(path: string): number {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (error) {
    const user = fsUserError(error, path);
    const what = user === undefined ? String((error as Error).message) : user.message.replace(/^Cannot use [^:]*: /, '').replace(/\.$/, '');
    throw usageError('CA_FILE_UNREADABLE', `The --ca-file ${path} cannot be read (${what}); nothing was contacted.`, {
      hint: `Give the path of ${WHAT_IT_IS}, readable by you.`,
    });
  }
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) {
    throw usageError('CA_FILE_NOT_PEM', `The --ca-file ${path} holds no PEM certificate (no -----BEGIN CERTIFICATE----- block); nothing was contacted.`, {
      hint: `Give ${WHAT_IT_IS}. A DER certificate (.cer) converts with: openssl x509 -inform der -in ca.cer -out ca.pem`,
    });
  }
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw usageError('CA_FILE_NOT_PEM', `Certificate ${index + 1} of ${blocks.length} in the --ca-file ${path} cannot be parsed (${(error as Error).message}); nothing was contacted.`, {
        hint: `Check that file: it must hold ${WHAT_IT_IS}, each certificate whole between its BEGIN and END lines.`,
      });
    }
  });
  return blocks.length;
}
