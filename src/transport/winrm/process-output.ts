// The output of one node-side bootstrap process as Receives bring it: stdout and stderr through streaming
// UTF-8 decoders (a character may be split across Receives), the READY line, results matched to their
// payload by sequence number (a late result of an earlier payload is dropped, never taken for this one),
// per-process CLIXML state (PowerShell writes `#< CLIXML` once per process, so later stderr is raw XML), and
// caps on what is kept per operation. Depends on the bootstrap helpers, clixml, errors and the shell's types.
import { StringDecoder } from 'node:string_decoder';
import { AppError, ExitCode } from '../../errors.js';
import { READY_MARKER, parseBootstrapResult, takeBootstrapResult, type BootstrapMeta } from '../bootstrap.js';
import { decodeClixml, isClixml } from '../clixml.js';
import type { ScriptOutcome } from '../transport.js';
import { WinRmErrorCode } from './errors.js';
import type { ReceiveChunk } from './shell.js';

/**
 * The most stdout one operation may produce before its result, in characters: far above any operation's JSON
 * result (a few KB; a scan of a node with many updates some hundred KB). Above it the operation fails with
 * WINRM_REPLY_TOO_LARGE instead of growing the coordinator's memory without bound.
 */
export const MAX_STDOUT_CHARS_PER_OPERATION = 32 * 1024 * 1024;
/** stderr is only ever read for an error message: the tail of this size is kept. */
export const MAX_STDERR_CHARS_KEPT = 64 * 1024;

const CLIXML_HEADER = '#< CLIXML';

export interface TakenResult {
  readonly outcome: ScriptOutcome;
  readonly meta: BootstrapMeta | undefined;
}

export class ProcessOutput {
  private stdout = '';
  private stderr = '';
  private readonly stdoutDecoder = new StringDecoder('utf8');
  private readonly stderrDecoder = new StringDecoder('utf8');
  private clixmlSeen = false;
  /** The command is Done: no more output will come. */
  done = false;
  exitCode: number | undefined;

  constructor(
    private readonly node: string,
    private readonly maxStdoutChars = MAX_STDOUT_CHARS_PER_OPERATION,
  ) {}

  push(chunk: ReceiveChunk, operation: string): void {
    this.stdout += this.stdoutDecoder.write(chunk.stdout);
    const err = this.stderrDecoder.write(chunk.stderr);
    if (!this.clixmlSeen && isClixml(this.stderr + err)) this.clixmlSeen = true;
    this.stderr = (this.stderr + err).slice(-MAX_STDERR_CHARS_KEPT);
    if (chunk.done) {
      this.done = true;
      this.exitCode = chunk.exitCode;
      this.stdout += this.stdoutDecoder.end();
      this.stderr += this.stderrDecoder.end();
    }
    if (this.stdout.length > this.maxStdoutChars) {
      throw new AppError(
        WinRmErrorCode.replyTooLarge,
        ExitCode.connection,
        `${operation} on ${this.node} wrote more than ${this.maxStdoutChars} characters to stdout before its result; cauctl stopped reading`,
        { hint: 'A node-side script printed far more than its JSON result; report it with the operation name.', details: { node: this.node, operation, limit: this.maxStdoutChars } },
      );
    }
  }

  /** Whether the READY line has arrived; it and anything before it (a banner) are dropped. */
  takeReady(): boolean {
    const at = this.stdout.indexOf(READY_MARKER);
    if (at < 0) return false;
    let cut = at + READY_MARKER.length;
    if (this.stdout.startsWith('\r\n', cut)) cut += 2;
    else if (this.stdout.startsWith('\n', cut)) cut += 1;
    this.stdout = this.stdout.slice(cut);
    return true;
  }

  /**
   * The result of payload `seq`, once it has arrived. Results of other sequence numbers (a payload given up
   * on earlier) are dropped; a result without a sequence number (a refusal before the loop) is taken. A malformed result is SCRIPT_PROTOCOL_ERROR, with this process's stderr.
   */
  takeResult(seq: number): TakenResult | undefined {
    for (let taken = takeBootstrapResult(this.stdout); taken; taken = takeBootstrapResult(this.stdout)) {
      this.stdout = taken.rest;
      const result = parseBootstrapResult(taken.result, this.stderrText(), this.done ? this.exitCode ?? null : null);
      // A result without meta comes from before the payload loop (the stub's or the bootstrap's language-mode
      // check): it answers whichever payload is waiting.
      if (result.meta === undefined || result.meta.seq === seq) {
        this.stderr = '';
        return result;
      }
    }
    return undefined;
  }

  /** stderr decoded: CLIXML when this process has written the header at any time, plain text otherwise. */
  stderrText(): string {
    if (!this.clixmlSeen) return this.stderr;
    return decodeClixml(this.stderr.includes(CLIXML_HEADER) ? this.stderr : `${CLIXML_HEADER}\r\n${this.stderr}`);
  }

  /** The first meaningful line of stderr, short, for an error message. */
  stderrSummary(): string {
    const line = this.stderrText().split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
    return line.length > 300 ? `${line.slice(0, 300)}…` : line.trim();
  }
}
