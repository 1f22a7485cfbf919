/**
 * Export-CauReport -Format Html: one self-contained page (inline CSS and SVG; a Content-Security-Policy that
 * forbids loading anything, no script) with the cluster result, the per-node results, the update install
 * results and a per-node timeline. Every value is escaped: node names, titles and messages are untrusted.
 * Pure text rendering; depends on core/report-query, platform/zone and output/format.
 */
import { phaseFailures, type NodeReport, type PhaseReport, type RunReport } from '../core/report-query.js';
import { TimeZone } from '../platform/zone.js';
import { formatAttempt, formatDuration, formatTime, plural } from './format.js';

export interface HtmlReportOptions {
  /** IANA zone for every timestamp shown. @default 'UTC' */
  readonly timeZone?: string;
  /** ISO-8601 time the report was produced, shown in the header. */
  readonly generatedAt: string;
  /** The version of cauctl, shown in the footer. */
  readonly version: string;
}

/** Escapes for both text and double- or single-quoted attributes, in HTML and inline SVG alike. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Bar colours per phase; failures always use FAILED_COLOR, whatever the phase. */
export const PHASE_COLORS: Readonly<Record<string, string>> = {
  scan: '#90a4ae',
  stage: '#78909c',
  'pre-script': '#a1887f',
  drain: '#f9a825',
  install: '#1e88e5',
  reboot: '#8e24aa',
  'wait-node': '#ce93d8',
  rescan: '#4db6ac',
  resume: '#43a047',
  resync: '#80cbc4',
  'post-script': '#bcaaa4',
};
export const FAILED_COLOR = '#d32f2f';
const OTHER_COLOR = '#9e9e9e';

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #1f2328; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.meta { color: #59636e; margin: 0 0 16px; }
table { border-collapse: collapse; margin: 4px 0 12px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
table.kv th { width: 180px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: 600; padding: 1px 6px; border-radius: 10px; white-space: nowrap; }
.status-Succeeded { color: #1a7f37; background: #dafbe1; }
.status-PartiallyFailed, .status-Canceled { color: #9a6700; background: #fff8c5; }
.status-Failed { color: #fff; background: ${FAILED_COLOR}; }
.error { color: ${FAILED_COLOR}; }
.empty { color: #59636e; font-style: italic; }
svg.timeline { max-width: 100%; height: auto; border: 1px solid #d0d7de; background: #fff; }
svg.timeline text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #1f2328; }
svg.timeline .axis-label { fill: #59636e; }
svg.timeline .failure-label { fill: ${FAILED_COLOR}; font-weight: 700; }
svg.timeline .node-label { font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0 4px; font-size: 12px; }
.legend span.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -2px; margin-right: 4px; }
footer { margin-top: 32px; color: #59636e; font-size: 12px; }
`;

function statusChip(status: string): string {
  return `<span class="status status-${escapeHtml(status.replace(/[^A-Za-z]/g, ''))}">${escapeHtml(status)}</span>`;
}

function kvTable(rows: ReadonlyArray<readonly [string, string]>): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function secondsBetween(start: string, end: string): number | undefined {
  const a = Date.parse(start);
  const b = Date.parse(end);
  return Number.isFinite(a) && Number.isFinite(b) ? Math.max(0, (b - a) / 1000) : undefined;
}

// ---- timeline ---------------------------------------------------------------------------------------------

const SVG_WIDTH = 1000;
const LABEL_WIDTH = 170;
const RIGHT_PAD = 16;
const AXIS_HEIGHT = 28;
const ROW_HEIGHT = 30;
const BAR_HEIGHT = 16;
const MIN_BAR_PX = 3;
const PLOT_WIDTH = SVG_WIDTH - LABEL_WIDTH - RIGHT_PAD;

/** Tick steps a reader can count in: one to thirty minutes, then hours. */
const TICK_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * 60_000);
const MAX_TICKS = 10;

export interface TimeTick {
  readonly ms: number;
  readonly label: string;
}

/** Axis ticks aligned on the zone's wall clock (so 10:00 means 10:00 there), at most MAX_TICKS of them. */
export function timeTicks(startMs: number, endMs: number, zone: string): TimeTick[] {
  const tz = TimeZone.of(zone);
  const span = Math.max(1, endMs - startMs);
  const step = TICK_STEPS_MS.find((s) => span / s <= MAX_TICKS) ?? Math.ceil(span / MAX_TICKS / 86_400_000) * 86_400_000;
  const offsetMs = tz.offsetAt(startMs);
  const first = Math.ceil((startMs + offsetMs) / step) * step - offsetMs;
  const multiDay = span > 86_400_000 || tz.partsAt(startMs).day !== tz.partsAt(endMs).day;
  const ticks: TimeTick[] = [];
  for (let t = first; t <= endMs; t += step) {
    // `2024-10-08T16:00:00+02:00` → `16:00`, or `10-08 16:00` when the chart spans days.
    const local = tz.iso(t);
    ticks.push({ ms: t, label: multiDay ? `${local.slice(5, 10)} ${local.slice(11, 16)}` : local.slice(11, 16) });
  }
  return ticks;
}

function phaseLabel(p: PhaseReport): string {
  return `${p.phase}${p.attempt > 1 ? ` (${formatAttempt(p.attempt)})` : ''}`;
}

/** The time span the chart covers: the run, widened to any phase recorded outside it. */
function chartBounds(run: RunReport): { t0: number; t1: number } {
  const times = [Date.parse(run.startTime), Date.parse(run.endTime)];
  for (const n of run.nodeResults) for (const p of n.phases) times.push(Date.parse(p.start), Date.parse(p.end));
  const finite = times.filter(Number.isFinite);
  const t0 = finite.length > 0 ? Math.min(...finite) : 0;
  const t1 = finite.length > 0 ? Math.max(...finite) : 0;
  // A run that took no time still needs an axis: show one minute.
  return { t0, t1: Math.max(t1, t0 + 60_000) };
}

function failureSummary(node: NodeReport, flags: readonly boolean[]): string | undefined {
  const failed = node.phases.filter((_, i) => flags[i]);
  if (failed.length === 0) return node.status === 'Failed' || node.status === 'PartiallyFailed' ? `${node.status}${node.errorRecord ? `: ${node.errorRecord.code}` : ''}` : undefined;
  const phases = [...new Set(failed.map((p) => p.phase))].join(', ');
  const code = node.errorRecord?.code ?? failed[failed.length - 1]?.detail ?? '';
  return `✖ ${phases} failed${failed.length > 1 ? ` ×${failed.length}` : ''}${code ? `: ${code}` : ''}`;
}

function renderTimeline(run: RunReport, zone: string): string {
  const { t0, t1 } = chartBounds(run);
  const x = (ms: number): number => LABEL_WIDTH + ((ms - t0) / (t1 - t0)) * PLOT_WIDTH;
  const rows = run.nodeResults;
  const height = AXIS_HEIGHT + Math.max(1, rows.length) * ROW_HEIGHT + 8;
  const out: string[] = [];
  out.push(
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" role="img" width="${SVG_WIDTH}" height="${height}" viewBox="0 0 ${SVG_WIDTH} ${height}" data-run-id="${escapeHtml(run.runId)}" data-rows="${rows.length}">`,
  );
  out.push(`<title>Timeline of run ${escapeHtml(run.runId)}, times in ${escapeHtml(zone)}</title>`);
  out.push('<g class="axis">');
  for (const tick of timeTicks(t0, t1, zone)) {
    const tx = x(tick.ms).toFixed(1);
    out.push(`<line x1="${tx}" x2="${tx}" y1="${AXIS_HEIGHT - 6}" y2="${height - 8}" stroke="#d0d7de" stroke-width="1"/>`);
    out.push(`<text class="axis-label" x="${tx}" y="${AXIS_HEIGHT - 10}" text-anchor="middle">${escapeHtml(tick.label)}</text>`);
  }
  out.push('</g>');
  rows.forEach((node, i) => {
    const top = AXIS_HEIGHT + i * ROW_HEIGHT;
    const barY = top + (ROW_HEIGHT - BAR_HEIGHT) / 2;
    out.push(`<g class="timeline-row" data-node="${escapeHtml(node.node)}" data-status="${escapeHtml(node.status)}">`);
    if (i % 2 === 1) out.push(`<rect x="0" y="${top}" width="${SVG_WIDTH}" height="${ROW_HEIGHT}" fill="#f6f8fa"/>`);
    out.push(`<text class="node-label" x="8" y="${top + ROW_HEIGHT / 2 + 4}">${escapeHtml(node.node.length > 22 ? `${node.node.slice(0, 21)}…` : node.node)}<title>${escapeHtml(node.node)}: ${escapeHtml(node.status)}</title></text>`);
    out.push(`<rect class="status-mark" data-status="${escapeHtml(node.status)}" x="${LABEL_WIDTH - 12}" y="${barY}" width="6" height="${BAR_HEIGHT}" fill="${node.status === 'Succeeded' ? '#1a7f37' : node.status === 'Failed' ? FAILED_COLOR : '#bf8700'}"/>`);
    let lastEndX = LABEL_WIDTH;
    let lastFailedX: { start: number; end: number } | undefined;
    const flags = phaseFailures(node);
    node.phases.forEach((p, index) => {
      const ok = !flags[index];
      const start = Date.parse(p.start);
      const end = Date.parse(p.end);
      if (!Number.isFinite(start) || !Number.isFinite(end)) return;
      const bx = x(start);
      const bw = Math.max(MIN_BAR_PX, x(end) - bx);
      const fill = ok ? (PHASE_COLORS[p.phase] ?? OTHER_COLOR) : FAILED_COLOR;
      const tip = `${node.node} — ${phaseLabel(p)}: ${ok ? 'ok' : 'FAILED'}, ${formatTime(p.start, zone)} → ${formatTime(p.end, zone)} (${formatDuration((end - start) / 1000)})${p.detail ? ` — ${p.detail}` : ''}`;
      out.push(
        `<rect class="phase${ok ? '' : ' failed'}" data-node="${escapeHtml(node.node)}" data-phase="${escapeHtml(p.phase)}" data-attempt="${p.attempt}" data-status="${ok ? 'Succeeded' : 'Failed'}" x="${bx.toFixed(1)}" y="${barY}" width="${bw.toFixed(1)}" height="${BAR_HEIGHT}" rx="2" fill="${fill}"${ok ? '' : ' stroke="#7f0000" stroke-width="1"'}><title>${escapeHtml(tip)}</title></rect>`,
      );
      lastEndX = Math.max(lastEndX, bx + bw);
      if (!ok) lastFailedX = { start: bx, end: bx + bw };
    });
    if (node.phases.length === 0) {
      out.push(`<text class="axis-label" x="${LABEL_WIDTH + 6}" y="${top + ROW_HEIGHT / 2 + 4}">${escapeHtml(node.status === 'Canceled' ? 'not started (canceled)' : `no phase recorded (${node.status})`)}</text>`);
    }
    const failure = failureSummary(node, flags);
    if (failure !== undefined) {
      // Right of the last failed bar while there is room, otherwise left of it, so the label stays inside.
      const anchorX = lastFailedX ?? { start: lastEndX, end: lastEndX };
      const roomRight = anchorX.end + 6 + failure.length * 6.5 < SVG_WIDTH - 4;
      const lx = roomRight ? anchorX.end + 6 : Math.max(LABEL_WIDTH + 4, anchorX.start - 6);
      out.push(
        `<text class="failure-label" data-node="${escapeHtml(node.node)}" data-status="Failed" x="${lx.toFixed(1)}" y="${top + ROW_HEIGHT / 2 + 4}" text-anchor="${roomRight ? 'start' : 'end'}">${escapeHtml(failure)}</text>`,
      );
    }
    out.push('</g>');
  });
  out.push('</svg>');
  const seen = new Set(run.nodeResults.flatMap((n) => n.phases.map((p) => p.phase)));
  const legend = Object.entries(PHASE_COLORS)
    .filter(([phase]) => seen.has(phase))
    .map(([phase, color]) => `<span><span class="swatch" style="background:${color}"></span>${escapeHtml(phase)}</span>`);
  legend.push(`<span><span class="swatch" style="background:${FAILED_COLOR}"></span>failed</span>`);
  return `${out.join('\n')}\n<div class="legend" aria-label="legend">${legend.join('')}</div>`;
}

// ---- tables -----------------------------------------------------------------------------------------------

function clusterResult(run: RunReport, zone: string): string {
  const duration = secondsBetween(run.startTime, run.endTime);
  const rows: Array<[string, string]> = [
    ['Cluster', escapeHtml(run.clusterName)],
    ['Run id', `<code>${escapeHtml(run.runId)}</code>`],
    ['Status', statusChip(run.status)],
    ['Start', escapeHtml(formatTime(run.startTime, zone))],
    ['End', escapeHtml(formatTime(run.endTime, zone))],
    ['Duration', duration === undefined ? '' : escapeHtml(formatDuration(duration))],
    ['Plug-ins', escapeHtml(run.plugins.join(', '))],
  ];
  if (run.maxFailedNodes !== undefined) rows.push(['MaxFailedNodes', escapeHtml(run.maxFailedNodes)]);
  if (run.resumed) rows.push(['Resumed', 'yes (continued from its journal)']);
  rows.push(['Error', run.errorRecord ? `<span class="error">${escapeHtml(run.errorRecord.code)}: ${escapeHtml(run.errorRecord.message)}</span>` : 'none']);
  if (run.warnings.length > 0) rows.push(['Warnings', run.warnings.map((w) => escapeHtml(w)).join('<br>')]);
  if (run.simulation) {
    rows.push([
      'Simulation',
      escapeHtml(`rehearsal: ${formatDuration(run.simulation.virtualSeconds)} of virtual time, at most ${plural(run.simulation.maxNodesOutOfService, 'node')} out of service, ${plural(run.simulation.violations.length, 'invariant violation')}`) +
        run.simulation.violations.map((v) => `<br><span class="error">${escapeHtml(v)}</span>`).join(''),
    ]);
  }
  return kvTable(rows);
}

function nodeResults(run: RunReport, zone: string): string {
  if (run.nodeResults.length === 0) return '<p class="empty">No node was reached in this run.</p>';
  const head = ['Node', 'Status', 'Attempts', 'Updates succeeded', 'Updates failed', 'Restart', 'Suspended at', 'Suspended for', 'Error'];
  const body = run.nodeResults.map((n) => {
    const cells = [
      escapeHtml(n.node),
      statusChip(n.status),
      `<td class="num">${n.attempts}</td>`,
      `<td class="num">${n.numberOfSucceededUpdates}</td>`,
      `<td class="num">${n.numberOfFailedUpdates}</td>`,
      escapeHtml(n.rebooted ? (n.nodeRebootResult ? `${n.nodeRebootResult.bootType} ×${n.nodeRebootResult.reboots}` : 'yes') : 'no'),
      escapeHtml(n.nodeSuspendedTimestamp ? formatTime(n.nodeSuspendedTimestamp, zone) : ''),
      escapeHtml(n.nodeSuspendedDurationSeconds === null ? '' : formatDuration(n.nodeSuspendedDurationSeconds)),
      n.errorRecord ? `<span class="error">${escapeHtml(n.errorRecord.code)}: ${escapeHtml(n.errorRecord.message)}</span>` : '',
    ];
    return `<tr data-node="${escapeHtml(n.node)}" data-status="${escapeHtml(n.status)}">${cells.map((c) => (c.startsWith('<td') ? c : `<td>${c}</td>`)).join('')}</tr>`;
  });
  return `<table class="node-results"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function installResults(run: RunReport): string {
  const rows = run.nodeResults.flatMap((n) => n.installResults.map((u) => ({ node: n.node, u })));
  if (rows.length === 0) return '<p class="empty">No update was installed or attempted in this run.</p>';
  const head = ['Node', 'KB', 'Title', 'Result', 'Error code', 'Reboot required', 'Update id'];
  const body = rows.map(({ node, u }) => {
    const failed = u.resultCode !== 'Succeeded' && u.resultCode !== 'AlreadyInstalled' && u.resultCode !== 'SucceededWithErrors';
    return `<tr data-node="${escapeHtml(node)}" data-status="${escapeHtml(u.resultCode)}"><td>${escapeHtml(node)}</td><td>${escapeHtml(u.kb)}</td><td>${escapeHtml(u.title)}</td><td${failed ? ' class="error"' : ''}>${escapeHtml(u.resultCode)}</td><td><code>${escapeHtml(u.errorCode)}</code></td><td>${u.rebootRequired ? 'yes' : 'no'}</td><td><code>${escapeHtml(u.updateId)}</code></td></tr>`;
  });
  return `<table class="install-results"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function runSection(run: RunReport, zone: string): string {
  return [
    `<section class="run" data-run-id="${escapeHtml(run.runId)}" data-status="${escapeHtml(run.status)}">`,
    `<h2>Run ${escapeHtml(run.runId)} — ${statusChip(run.status)}</h2>`,
    '<h3>Cluster result</h3>',
    clusterResult(run, zone),
    '<h3>Timeline</h3>',
    renderTimeline(run, zone),
    '<h3>Node results</h3>',
    nodeResults(run, zone),
    '<h3>Update install results</h3>',
    installResults(run),
    '</section>',
  ].join('\n');
}

export function renderHtmlReport(reports: readonly RunReport[], options: HtmlReportOptions): string {
  const zone = options.timeZone ?? 'UTC';
  const clusters = [...new Set(reports.map((r) => r.clusterName))];
  const title = `Cluster-Aware Updating report — ${clusters.join(', ') || 'no runs'}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cauctl ${escapeHtml(options.version)}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${plural(reports.length, 'run')}. Generated ${escapeHtml(formatTime(options.generatedAt, zone))}; times in ${escapeHtml(zone)}.</p>
</header>
<main>
${reports.length === 0 ? '<p class="empty">No runs in this report.</p>' : reports.map((r) => runSection(r, zone)).join('\n')}
</main>
<footer>cauctl ${escapeHtml(options.version)} — a re-implementation of the Cluster-Aware Updating coordinator. Rehearsal (simulated) runs show virtual times.</footer>
</body>
</html>
`;
}
