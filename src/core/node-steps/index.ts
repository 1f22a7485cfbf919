/**
 * The node steps, written once and used by every flow (run, offline-update, single-node maintenance,
 * feature-update, post-install): each with a deadline and a write-ahead journal record.
 */
export { StepFailure, StepTimings, stepFailureAsError, type StepContext } from './context.js';
export { requireDrained } from './drained.js';
export { awaitDrainGate, awaitRestartGate, restartClusterGate, type DrainGateOptions, type RestartGateOptions } from './gates.js';
export { installViaTask, type TaskOptions, type TaskSpec } from './install.js';
export { awaitBoot, ensureRestartIssued, requestRestart, restartAndAwaitBoot, resumeRestart, type RebootOutcome, type RebootSource, type RestartOptions } from './restart.js';
export { resumeNode, resumeWhenBack } from './resume.js';
export { scanNode, scanNodePlugin, type ScannedUpdate } from './scan.js';
export { awaitHealthyStorage } from './storage.js';
export { DEFAULT_SUSPEND_TRIES, RETRYABLE_SUSPEND_FAILURES, gateAndSuspend, type SuspendOptions, type SuspendOutcome } from './suspend.js';
export { isDrained, readBoot, readDrain, type BootReading, type DrainReading } from './verdicts.js';
export { capacityGate, capacityShortfall } from './capacity.js';
export { ROLE_HOLD_PROPERTY, guardNativeCau, restoreSelfUpdating } from './native-cau.js';
