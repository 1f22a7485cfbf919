/** Reads files shipped beside the code (the node-side `.ps1` scripts), cached per path. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, string>();

export function readAsset(url: URL): string {
  const path = fileURLToPath(url);
  let text = cache.get(path);
  if (text === undefined) {
    text = readFileSync(path, 'utf8');
    cache.set(path, text);
  }
  return text;
}
