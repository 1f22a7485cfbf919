/**
 * How long a one-shot command (scan, test-setup and --fix, the role commands) keeps trying a node that does
 * not answer. A run waits up to 15 min for a node (a reboot, a network blip: invariant 7); a command that only
 * reads or makes one change is answered at once, so it gives up much sooner. No imports: `--help` reads these.
 */

/** How long after its first failed try an idempotent call is retried before a transient failure is final. */
export const ONE_SHOT_RETRY_DEADLINE_MS = 60_000;

/** Connection refused (the host answers, WinRM does not listen): a service restart, at most. */
export const ONE_SHOT_REFUSED_DEADLINE_MS = 10_000;

/**
 * Per network cause, a shorter deadline than ONE_SHOT_RETRY_DEADLINE_MS. A name that does not resolve
 * (ENOTFOUND, a definite "no such name" from DNS) is not retried; a DNS server that did not answer
 * (EAI_AGAIN) keeps the full minute.
 */
export const ONE_SHOT_CAUSE_DEADLINES_MS: Readonly<Record<string, number>> = {
  ECONNREFUSED: ONE_SHOT_REFUSED_DEADLINE_MS,
  ENOTFOUND: 0,
};

/** The sentence the one-shot commands' `--help` carries about retries. */
export const ONE_SHOT_RETRY_HELP =
  `A node that does not answer is retried for ${ONE_SHOT_RETRY_DEADLINE_MS / 60_000} min (a refused connection ${ONE_SHOT_REFUSED_DEADLINE_MS / 1000} s, a name that does not resolve not at all), ` +
  'each retry said as a warning on stderr; then it is reported (exit 4 when the cluster itself does not answer). A run waits up to 15 min for a node.';
