// ProcessOutput: results matched by sequence number, streaming UTF-8, per-process CLIXML state, the cap.
import { END_MARKER, READY_MARKER, RESULT_MARKER } from '../bootstrap.js';
import { ProcessOutput } from './process-output.js';

const chunk = (stdout: string | Buffer, stderr: string | Buffer = '', done = false) => ({
  stdout: Buffer.isBuffer(stdout) ? stdout : Buffer.from(stdout, 'utf8'),
  stderr: Buffer.isBuffer(stderr) ? stderr : Buffer.from(stderr, 'utf8'),
  done,
  exitCode: done ? 0 : undefined,
});
const result = (seq: number | null, data: unknown): string => `${RESULT_MARKER}${JSON.stringify({ meta: { seq, memoryMB: 1, warnings: [] }, ok: true, data })}${END_MARKER}\r\n`;

describe('ProcessOutput', () => {
  it('drops a late result of another payload and takes its own; READY and a banner before it go', () => {
    const out = new ProcessOutput('N1');
    out.push(chunk(`banner\r\n${READY_MARKER}\r\n${result(3, 'late')}${result(4, 'mine')}`), 'op');
    expect(out.takeReady()).toBe(true);
    expect(out.takeResult(4)?.outcome).toEqual({ ok: true, data: 'mine' });
    expect(out.takeResult(4)).toBeUndefined();
  });

  it('takes a result without a sequence number: a refusal from before the payload loop', () => {
    const out = new ProcessOutput('N1');
    out.push(chunk(`${RESULT_MARKER}{"ok":false,"error":{"code":"CONSTRAINED_LANGUAGE","message":"no"}}${END_MARKER}\r\n`), 'op');
    expect(out.takeResult(9)?.outcome).toMatchObject({ ok: false, error: { code: 'CONSTRAINED_LANGUAGE' } });
  });

  it('decodes a character split across two Receives', () => {
    const out = new ProcessOutput('N1');
    const bytes = Buffer.from(result(1, 'é€😀'), 'utf8');
    const at = bytes.indexOf(Buffer.from('😀', 'utf8')) + 2;
    out.push(chunk(bytes.subarray(0, at)), 'op');
    out.push(chunk(bytes.subarray(at)), 'op');
    expect(out.takeResult(1)?.outcome).toEqual({ ok: true, data: 'é€😀' });
  });

  it('remembers that this process writes CLIXML: stderr without the header (a later payload) is still decoded', () => {
    const out = new ProcessOutput('N1');
    const record = (text: string): string => `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">${text}_x000D__x000A_</S></Objs>`;
    out.push(chunk(result(1, 'a'), `#< CLIXML\r\n${record('first')}`), 'op');
    expect(out.takeResult(1)).toBeDefined();
    out.push(chunk('', record('the pipeline was stopped'), true), 'op');
    expect(out.stderrSummary()).toBe('the pipeline was stopped');
  });

  it('stops reading with WINRM_REPLY_TOO_LARGE past the stdout cap', () => {
    const out = new ProcessOutput('N1', 10);
    expect(() => out.push(chunk('x'.repeat(11)), 'get-thing')).toThrow(expect.objectContaining({ code: 'WINRM_REPLY_TOO_LARGE', exitCode: 4, message: expect.stringContaining('get-thing on N1') }));
  });
});
