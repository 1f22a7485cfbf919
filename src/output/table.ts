/**
 * Tables for human output: cli-table3 boxes on a terminal, tab-separated rows off it (easy to cut/awk),
 * as gh does. cli-table3 is loaded only when a terminal needs it.
 */
import { createRequire } from 'node:module';

export interface TableOptions {
  readonly tty: boolean;
}

export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions): string {
  if (!options.tty) {
    return [headers.join('\t'), ...rows.map((r) => r.map((c) => c.replace(/[\t\n]/g, ' ')).join('\t'))].join('\n') + '\n';
  }
  const require = createRequire(import.meta.url);
  const Table = require('cli-table3') as new (o: { head: string[]; style: { head: string[]; border: string[] } }) => { push(r: string[]): void; toString(): string };
  const table = new Table({ head: [...headers], style: { head: [], border: [] } });
  for (const row of rows) table.push([...row]);
  return `${table.toString()}\n`;
}
