/**
 * `run --suspend-node` / `run --resume-node` (single-node maintenance): runs core/single-node.ts and reports a
 * result with run's top-level shape (status, nodeResults, errorRecord, the simulation audit).
 */
import { randomUUID } from 'node:crypto';
import { resumeSingleNode, suspendSingleNode } from '../../../core/single-node.js';
import type { RunProfile } from '../../../core/types.js';
import { AppError, ExitCode } from '../../../errors.js';
import { journalPath } from '../../../journal/journal.js';
import type { RunMode } from '../../../profiles/run-profile.js';
import type { CommandEnv } from '../../command-env.js';
import { writeResult } from '../../../output/result.js';
import { isProcessAlive, openJournal, resultEnvFor, type ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';

export async function runSingleNode(profile: RunProfile, mode: RunMode, globals: GlobalProfile, env: CommandEnv, ctx: ClusterContext): Promise<number> {
  const suspend = mode.suspendNode !== undefined;
  const name = (mode.suspendNode ?? mode.resumeNode)!;
  if (!mode.force) {
    if (!env.io.stdinIsTty) throw new AppError('CONFIRMATION_REQUIRED', ExitCode.usage, `run --${suspend ? 'suspend' : 'resume'}-node changes the cluster and asks for confirmation, but stdin is not a terminal; nothing was touched.`, { hint: 'Add --force.' });
    const answer = (await env.io.promptLine(`${suspend ? 'Drain and pause' : 'Resume'} ${name} on ${ctx.entry}? [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') return ExitCode.refused;
  }
  const startTime = new Date(ctx.clock.now()).toISOString();
  const journal = openJournal(ctx, journalPath(ctx.stateDir, ctx.entry, `maintenance-${randomUUID()}`));
  const deps = { gateway: ctx.gateway, entry: ctx.entry, clock: ctx.clock, wallClock: ctx.wallClock, owner: ctx.owner, isProcessAlive, newRunId: () => randomUUID(), journal };
  const options = {
    requireAllNodesOnline: profile.requireAllNodesOnline,
    failbackMode: profile.failbackMode,
    waitForStorageRepairTimeoutMinutes: profile.waitForStorageRepairTimeoutMinutes,
    rebootTimeoutMinutes: profile.rebootTimeoutMinutes,
    forceDrain: profile.forcePauseAndDrain,
    suspendClusterNodeTimeoutMinutes: profile.suspendClusterNodeTimeoutMinutes,
  };
  let outcome: Awaited<ReturnType<typeof suspendSingleNode>> | undefined;
  let errorRecord: { code: string; message: string; node: string } | null = null;
  // What letting the lock go could not restore (the CAU role's self-updating left held off), as run reports it.
  let warnings: readonly string[] = [];
  try {
    outcome = suspend ? await suspendSingleNode(deps, name, options) : await resumeSingleNode(deps, name, options);
    warnings = outcome.warnings;
  } catch (error) {
    // A refusal (exit 5) or a usage problem is thrown as it is; a failure while acting becomes the result.
    if (!(error instanceof AppError) || error.exitCode !== ExitCode.runFailed) throw error;
    errorRecord = { code: error.code, message: error.message, node: name };
    const carried = error.details?.['warnings'];
    if (Array.isArray(carried)) warnings = carried.map(String);
  }
  const status = errorRecord === null ? 'Succeeded' : 'Failed';
  const document = {
    schemaVersion: 1,
    action: suspend ? 'SuspendNode' : 'ResumeNode',
    clusterName: ctx.entry,
    status,
    startTime,
    endTime: new Date(ctx.clock.now()).toISOString(),
    errorRecord,
    nodeResults: [{ node: outcome?.node ?? name, status, changed: outcome?.changed ?? false, detail: outcome?.detail ?? errorRecord?.message ?? '' }],
    warnings,
    ...(ctx.sim ? { simulation: ctx.sim.audit() } : {}),
  };
  writeResult(resultEnvFor(globals, env.io), document, (out) => {
    out.line(outcome?.detail ?? `${name}: ${errorRecord?.message}`);
    for (const warning of warnings) out.line(`Warning: ${warning}`);
  });
  return errorRecord === null ? ExitCode.ok : ExitCode.runFailed;
}
