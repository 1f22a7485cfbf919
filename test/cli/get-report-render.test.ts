/**
 * Issue 15: get-report's human rendering, from fixed reports, against golden files (test/cli/golden/): on a
 * terminal of 80 and 160 columns and off a terminal. Times are shown in Europe/Paris. UPDATE_GOLDEN=1 rewrites
 * the files after a deliberate change of the output.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printDetailed, printSummaries } from '../../src/cli/commands/get-report/action.js';
import { createResultEnv, humanPrinter } from '../../src/output/result.js';
import type { OutStream } from '../../src/output/stream.js';
import { aNodeResult, anInstall, aReport } from '../report/builders.js';
import { ROOT } from '../support/cli.js';

const GOLDEN = join(ROOT, 'test', 'cli', 'golden');

function expectGolden(name: string, text: string): void {
  const path = join(GOLDEN, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1' || (!existsSync(path) && process.env.CI === undefined)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, text);
  }
  expect(text).toBe(readFileSync(path, 'utf8'));
}

function render(columns: number | undefined, print: (out: ReturnType<typeof humanPrinter>) => void): string {
  let text = '';
  const stdout: OutStream = { isTTY: columns !== undefined, ...(columns !== undefined ? { columns } : {}), write: (t) => void (text += t) };
  print(humanPrinter(createResultEnv({ format: 'human', color: false, stdout, env: {} })));
  return text;
}

const failed = aReport({
  runId: '758c13d5-2f0e-4c1a-9b7e-1d2c3b4a5f60',
  status: 'PartiallyFailed',
  startTime: '2024-10-08T01:00:00.000Z',
  endTime: '2024-10-08T03:02:05.000Z',
  errorRecord: { code: 'NodesFailed', message: 'NODE2 did not update; within MaxFailedNodes (1).' },
  nodeResults: [
    aNodeResult('NODE1'),
    aNodeResult('NODE2', {
      status: 'Failed',
      attempts: 3,
      numberOfSucceededUpdates: 0,
      numberOfFailedUpdates: 1,
      rebooted: false,
      nodeSuspendedDurationSeconds: 1938,
      errorRecord: { code: 'InstallFailed', message: 'KB5044284 failed to install on NODE2 (0x80240022) in every attempt' },
      installResults: [anInstall({ kb: 'KB5044284', title: '2024-10 Cumulative Update for Azure Stack HCI, version 23H2 for x64-based Systems (KB5044284)', resultCode: 'Failed', errorCode: '0x80240022' })],
    }),
  ],
});
const earlier = aReport({ runId: '11111111-aaaa-4bbb-8ccc-222222222222', startTime: '2024-09-10T01:00:00.000Z', endTime: '2024-09-10T01:32:18.000Z' });

describe('get-report rendering', () => {
  it.each([
    ['80', 80],
    ['160', 160],
    ['pipe', undefined],
  ])('the list of runs (%s)', (name, columns) => {
    expectGolden(`get-report-${name}`, render(columns, (out) => printSummaries([earlier, failed], out, 'Europe/Paris')));
  });

  it.each([
    ['80', 80],
    ['160', 160],
    ['pipe', undefined],
  ])('--detailed (%s)', (name, columns) => {
    const text = render(columns, (out) => printDetailed([failed], out, 'Europe/Paris'));
    if (columns !== undefined) expect(Math.max(...text.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(columns);
    expectGolden(`get-report-detailed-${name}`, text);
  });
});
