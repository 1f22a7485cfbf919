import { repairProgress } from './storage.js';

const job = (jobState: string, bytesProcessed: number, bytesTotal: number) => ({ name: 'Repair', jobState, bytesProcessed, bytesTotal, percentComplete: 0 });

describe('repairProgress: the running repair jobs as one figure', () => {
  it.each([
    ['no job', [], undefined],
    ['only completed jobs', [job('Completed', 10, 10)], undefined],
    ['one job a quarter done', [job('Running', 25, 100)], { percentComplete: 25, bytesLeft: 75 }],
    ['two jobs, the completed one left out', [job('Running', 10, 100), job('Running', 90, 100), job('Completed', 5, 5)], { percentComplete: 50, bytesLeft: 100 }],
    ['a job that reports no bytes yet', [job('Running', 0, 0)], { percentComplete: 0, bytesLeft: 0 }],
  ])('%s', (_name, jobs, expected) => {
    expect(repairProgress(jobs)).toEqual(expected);
  });
});
