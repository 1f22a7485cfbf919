import { systemClock } from '../../platform/clock.js';
import type { HttpReply, WsmanConnection } from './http-connection.js';
import { WinRmErrorCode } from './errors.js';
import { parseRequest, type SoapContext } from './soap.js';
import { WinRsShell } from './shell.js';

const ctx: SoapContext = {
  to: 'http://n:5985/wsman',
  maxEnvelopeSize: 153600,
  operationTimeoutSeconds: 20,
  sessionId: 'uuid:S',
  newUuid: (() => {
    let n = 0;
    return () => `00000000-0000-0000-0000-${String(++n).padStart(12, '0')}`;
  })(),
};

type Answer = (action: string, messageId: string) => HttpReply;

/** A connection double that answers each request by its action. */
function connection(answer: Answer): { conn: WsmanConnection; actions: string[] } {
  const actions: string[] = [];
  const counts = { resets: 0 };
  const conn = {
    get resets() {
      return counts.resets;
    },
    reset() {
      counts.resets++;
    },
    post: async (xml: string): Promise<HttpReply> => {
      const r = parseRequest(xml);
      const action = r.action!.split('/').pop()!;
      actions.push(action);
      return answer(action, r.messageId!);
    },
  } as unknown as WsmanConnection;
  return { conn, actions };
}

const ok = (relatesTo: string, body: string): HttpReply => ({
  status: 200,
  body: `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:RelatesTo>${relatesTo}</a:RelatesTo></s:Header><s:Body>${body}</s:Body></s:Envelope>`,
});

const normal: Answer = (action, id) => {
  switch (action) {
    case 'Create':
      return ok(id, '<rsp:Shell><rsp:ShellId>SH</rsp:ShellId></rsp:Shell>');
    case 'Command':
      return ok(id, '<rsp:CommandResponse><rsp:CommandId>C1</rsp:CommandId></rsp:CommandResponse>');
    case 'Receive':
      return ok(id, `<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="C1">${Buffer.from('out').toString('base64')}</rsp:Stream><rsp:Stream Name="stderr" CommandId="C1">${Buffer.from('err').toString('base64')}</rsp:Stream><rsp:CommandState CommandId="C1" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>3</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>`);
    default:
      return ok(id, '');
  }
};

describe('WinRsShell', () => {
  it('runs Command, Send, Receive until Done, then Signal; Delete on close', async () => {
    const { conn, actions } = connection(normal);
    const shell = new WinRsShell(conn, ctx, 'n', systemClock);
    expect(await shell.open()).toBe('SH');
    const result = await shell.execute('powershell.exe', ['-'], Buffer.from('x'));
    expect({ stdout: result.stdout.toString(), stderr: result.stderr.toString(), exitCode: result.exitCode }).toEqual({ stdout: 'out', stderr: 'err', exitCode: 3 });
    await shell.close();
    expect(actions).toEqual(['Create', 'Command', 'Send', 'Receive', 'Signal', 'Delete']);
  });

  it('sends a payload over several Sends and tells whether the final one had left when one failed', async () => {
    const small: SoapContext = { ...ctx, maxEnvelopeSize: 4096 };
    let sends = 0;
    const { conn, actions } = connection((action, id) => {
      if (action === 'Send' && ++sends === 2) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
      return normal(action, id);
    });
    const shell = new WinRsShell(conn, small, 'n', systemClock);
    await shell.open();
    const progress = { finalSendStarted: false };
    await expect(shell.send('C1', Buffer.alloc(6000, 0x61), false, undefined, progress)).rejects.toThrow('reset');
    expect(progress.finalSendStarted).toBe(false);
    expect(actions).toEqual(['Create', 'Send', 'Send']);
    const last = { finalSendStarted: false };
    await shell.send('C1', Buffer.from('line\n'), false, undefined, last);
    expect(last.finalSendStarted).toBe(true);
  });

  it('leaves stdin open unless asked, and returns undefined for a Receive that timed out', async () => {
    const bodies: string[] = [];
    const timedOut = `<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut</s:Value></s:Subcode></s:Code><s:Reason><s:Text>t</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858793"><f:Message>t</f:Message></f:WSManFault></s:Detail></s:Fault>`;
    const conn = {
      post: async (xml: string): Promise<HttpReply> => {
        bodies.push(xml);
        const r = parseRequest(xml);
        const action = r.action!.split('/').pop()!;
        return action === 'Receive' ? { ...ok(r.messageId!, timedOut), status: 500 } : normal(action, r.messageId!);
      },
    } as unknown as WsmanConnection;
    const shell = new WinRsShell(conn, ctx, 'n', systemClock);
    await shell.open();
    await shell.send('C1', Buffer.from('x\n'), false);
    expect(bodies.at(-1)).not.toContain('End=');
    expect(await shell.receive('C1')).toBeUndefined();
  });

  it('rejects a response that relates to another message', async () => {
    const { conn } = connection((action, id) => normal(action, action === 'Command' ? 'uuid:OTHER' : id));
    const shell = new WinRsShell(conn, ctx, 'n', systemClock);
    await shell.open();
    await expect(shell.execute('x', [], Buffer.alloc(0))).rejects.toMatchObject({ code: WinRmErrorCode.protocol });
  });

  it.each([
    ['HTTP 500 without a fault', { status: 500, body: '' }],
    ['HTTP 302', { status: 302, body: '' }],
    ['not XML', { status: 200, body: 'garbage<' }],
  ])('turns %s into WINRM_PROTOCOL_ERROR', async (_label, reply) => {
    const { conn } = connection(() => reply);
    await expect(new WinRsShell(conn, ctx, 'n', systemClock).open()).rejects.toMatchObject({ code: WinRmErrorCode.protocol });
  });

  it.each([
    [503, WinRmErrorCode.serviceUnavailable],
    [404, WinRmErrorCode.serviceUnavailable],
    [400, WinRmErrorCode.badRequest],
  ])('turns HTTP %i into transient %s and resets the connection (issue 19, case 7)', async (status, code) => {
    const { conn } = connection(() => ({ status, body: '' }));
    const error = await new WinRsShell(conn, ctx, 'n', systemClock).open().catch((e: unknown) => e);
    expect(error).toMatchObject({ code, transient: true, exitCode: 4 });
    expect((conn as unknown as { resets: number }).resets).toBe(1);
  });

  it('takes a Send answered TimedOut, 1460 or 170 as maybe delivered: no error, the next chunk follows', async () => {
    const faults = [2150858793, 1460, 170];
    let sends = 0;
    const { conn } = connection((action, id) => {
      if (action !== 'Send') return normal(action, id);
      const code = faults[sends++ % faults.length]!;
      return { status: 500, body: faultBody(id, code, code === 2150858793 ? 'TimedOut' : 'InternalError') };
    });
    const shell = new WinRsShell(conn, ctx, 'n', systemClock);
    await shell.open();
    const progress = { finalSendStarted: false } as { finalSendStarted: boolean; maybeDelivered?: string };
    await shell.send('C1', Buffer.alloc(40_000, 0x41), false, undefined, { ...progress });
    const p2 = { finalSendStarted: false } as { finalSendStarted: boolean; maybeDelivered?: string };
    await shell.send('C1', Buffer.from('x'), false, undefined, p2);
    expect(p2.maybeDelivered).toMatch(/^fault (2150858793|1460|170)/);
  });
});

function faultBody(relatesTo: string, code: number, subcode: string): string {
  return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:RelatesTo>${relatesTo}</a:RelatesTo></s:Header><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:${subcode}</s:Value></s:Subcode></s:Code><s:Reason><s:Text>busy</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="${code}" Machine="n"><f:Message>busy</f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`;
}
