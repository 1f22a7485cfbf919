import { aNodeResult, anInstall, aPhase, aReport } from '../../test/report/builders.js';
import { escapeHtml, renderHtmlReport, timeTicks } from './report-html.js';

const options = { generatedAt: '2024-10-08T12:00:00.000Z', version: '0.0.0-test' };
const count = (html: string, pattern: RegExp): number => (html.match(new RegExp(pattern.source, 'g')) ?? []).length;

const HOSTILE = `<script>alert("x")</script><img src=x onerror='alert(1)'> & <a href="http://evil.invalid">`;

describe('renderHtmlReport', () => {
  const failedNode = aNodeResult('NODE2', {
    status: 'Failed',
    attempts: 2,
    numberOfSucceededUpdates: 0,
    numberOfFailedUpdates: 1,
    errorRecord: { code: 'InstallFailed', message: '1 update(s) failed on NODE2' },
    installResults: [anInstall({ resultCode: 'Failed', errorCode: '0x80240022' })],
    phases: [
      aPhase({ phase: 'drain', attempt: 1, start: '2024-10-08T10:30:00Z', end: '2024-10-08T10:31:00Z' }),
      aPhase({ phase: 'install', attempt: 1, start: '2024-10-08T10:31:00Z', end: '2024-10-08T10:41:00Z' }),
      aPhase({ phase: 'resume', attempt: 1, start: '2024-10-08T10:41:00Z', end: '2024-10-08T10:41:01Z' }),
      aPhase({ phase: 'drain', attempt: 2, start: '2024-10-08T10:41:01Z', end: '2024-10-08T10:42:00Z', ok: false, detail: 'DRAIN_FAILED' }),
    ],
  });
  const report = aReport({ status: 'PartiallyFailed', nodeResults: [aNodeResult('NODE1'), failedNode, aNodeResult('NODE3', { status: 'Canceled', phases: [], installResults: [] })] });

  it('draws one timeline row per node, each phase a bar with data attributes, failures red and labelled', () => {
    const html = renderHtmlReport([report], options);
    expect(count(html, /<g class="timeline-row"/)).toBe(3);
    expect(html).toContain('<g class="timeline-row" data-node="NODE2" data-status="Failed">');
    expect(count(html, /<rect class="phase"[^>]*data-node="NODE1"/)).toBe(6);
    expect(html).toMatch(/<rect class="phase failed" data-node="NODE2" data-phase="install" data-attempt="1" data-status="Failed"[^>]*fill="#d32f2f"/);
    expect(html).toMatch(/<rect class="phase failed" data-node="NODE2" data-phase="drain" data-attempt="2" data-status="Failed"/);
    expect(html).toMatch(/<text class="failure-label" data-node="NODE2" data-status="Failed"[^>]*>✖ install, drain failed ×2: InstallFailed<\/text>/);
    expect(html).toContain('not started (canceled)');
    expect(count(html, /class="failure-label"/)).toBe(1);
  });

  it('has the cluster result, node results and update install results', () => {
    const html = renderHtmlReport([report], options);
    expect(html).toContain('<h3>Cluster result</h3>');
    expect(count(html, /<tr data-node="[^"]+" data-status="(Succeeded|Failed|Canceled)">/)).toBe(3 + 2);
    expect(html).toContain('<td class="error">Failed</td><td><code>0x80240022</code></td>');
  });

  it('loads nothing: no script, no external reference, a CSP that forbids it', () => {
    const html = renderHtmlReport([aReport({ clusterName: HOSTILE, nodeResults: [aNodeResult(HOSTILE, { installResults: [anInstall({ title: HOSTILE, kb: HOSTILE })], errorRecord: { code: HOSTILE, message: HOSTILE } })], errorRecord: { code: HOSTILE, message: HOSTILE }, warnings: [HOSTILE] })], options);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<a /i);
    // Attribute values are quoted and escaped; outside them, no tag may carry a loading or event attribute.
    expect(html.replace(/"[^"]*"/g, '""')).not.toMatch(/<[^>]*\s(src|href|on\w+)=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    // Written out, not built with escapeHtml: the function under test is not its own oracle.
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt; &amp; &lt;a href=&quot;http://evil.invalid&quot;&gt;');
    // Without hostile data, the only URL is the SVG namespace, which is an identifier, not a fetch.
    const clean = renderHtmlReport([report], options);
    expect(clean.match(/https?:\/\/[^\s"'<]+/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('escapes every character that matters, in text and attributes', () => {
    expect(escapeHtml(`<a b="c" d='e'>&`)).toBe('&lt;a b=&quot;c&quot; d=&#39;e&#39;&gt;&amp;');
    const html = renderHtmlReport([aReport({ nodeResults: [aNodeResult(`N"><svg onload=x>`)] })], options);
    expect(html).toContain('data-node="N&quot;&gt;&lt;svg onload=x&gt;"');
    expect(html).not.toContain('<svg onload');
  });

  it('shows times in the chosen zone', () => {
    const html = renderHtmlReport([report], { ...options, timeZone: 'Europe/Paris' });
    expect(html).toContain('2024-10-08 11:58:00 +02:00');
    expect(html).toContain('times in Europe/Paris');
  });

  it('says so when there is nothing to show', () => {
    expect(renderHtmlReport([], options)).toContain('No runs in this report.');
    const html = renderHtmlReport([aReport({ nodeResults: [] })], options);
    expect(html).toContain('No node was reached in this run.');
    expect(html).toContain('No update was installed or attempted in this run.');
  });
});

describe('timeTicks', () => {
  it('picks a readable step, aligned on the wall clock of the zone', () => {
    const start = Date.parse('2024-10-08T09:58:00Z');
    const ticks = timeTicks(start, Date.parse('2024-10-08T10:30:00Z'), 'UTC');
    expect(ticks.map((t) => t.label)).toEqual(['10:00', '10:05', '10:10', '10:15', '10:20', '10:25', '10:30']);
    const kolkata = timeTicks(Date.parse('2024-10-08T00:10:00Z'), Date.parse('2024-10-08T06:00:00Z'), 'Asia/Kolkata');
    expect(kolkata[0]!.label).toBe('06:00');
    expect(kolkata.every((t) => t.label.endsWith(':00'))).toBe(true);
    expect(kolkata.length).toBeLessThanOrEqual(10);
  });

  it('labels the day when a run crosses midnight', () => {
    const ticks = timeTicks(Date.parse('2024-10-08T22:00:00Z'), Date.parse('2024-10-09T02:00:00Z'), 'UTC');
    expect(ticks.map((t) => t.label)).toContain('10-09 00:00');
  });
});
