import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../errors.js';
import { WinRmErrorCode } from './errors.js';
import { WsmanConnection, authChallenge, type WsmanConnectionOptions } from './http-connection.js';
import {
  KerberosContext,
  KerberosErrorCode,
  kerberosPrincipal,
  kerberosServiceName,
  loadKerberosModule,
  type KerberosClientLike,
  type KerberosModuleLike,
} from './kerberos.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

/** What a fake client context saw. */
interface ContextLog {
  service: string;
  options: unknown;
  /** Decoded server tokens fed to step(); '' for the first step. */
  steps: string[];
}

/**
 * A stand-in for the `kerberos` package: its token for the first step is `<mech> AP-REQ <service>`; it
 * completes on `AP-REP`, answers `MORE` with a second AP-REQ, and fails on `KRB-ERROR` as GSSAPI would.
 */
function fakeKerberos(behaviour: { initError?: Error; username?: string; spnego?: boolean } = {}) {
  const contexts: ContextLog[] = [];
  let loads = 0;
  const module: KerberosModuleLike = {
    ...(behaviour.spnego === false ? {} : { GSS_MECH_OID_SPNEGO: 6 }),
    GSS_MECH_OID_KRB5: 9,
    async initializeClient(service, options) {
      if (behaviour.initError) throw behaviour.initError;
      const log: ContextLog = { service, options, steps: [] };
      contexts.push(log);
      const mech = options?.mechOID === 6 ? 'spnego' : 'krb5';
      let complete = false;
      const client: KerberosClientLike = {
        get contextComplete() {
          return complete;
        },
        get username() {
          return complete ? (behaviour.username ?? 'jdoe@CORP.EXAMPLE.COM') : null;
        },
        async step(challenge) {
          const text = unb64(challenge);
          log.steps.push(text);
          if (challenge === '') return b64(`${mech} AP-REQ ${service}`);
          if (text === 'AP-REP') {
            complete = true;
            return null;
          }
          if (text === 'MORE') return b64(`${mech} AP-REQ-2`);
          if (text === 'KRB-ERROR') throw new Error('Clock skew too great');
          throw new Error(`unexpected token ${text}`);
        },
      };
      return client;
    },
  };
  return {
    load: async (): Promise<unknown> => {
      loads++;
      return module;
    },
    contexts,
    loads: () => loads,
  };
}

const tlsDir = fileURLToPath(new URL('../../../test/fixtures/winrm/tls/', import.meta.url));
const tls = { key: readFileSync(`${tlsDir}localhost.key`), cert: readFileSync(`${tlsDir}localhost.crt`) };

interface Seen {
  socketId: number;
  authorization: string | undefined;
  body: string;
}

interface AcceptorAnswer {
  status: number;
  /** Token for `WWW-Authenticate: <scheme> <token>`; none means the offers alone (on 401) or no header (on 200). */
  token?: string;
}

interface ServerOptions {
  /** `WWW-Authenticate` values of a plain 401. @default ['Negotiate', 'Kerberos', 'Basic realm="WSMAN"'] */
  offers?: string[];
  /** The acceptor: the decoded token of each `Authorization` header, leg by leg. */
  accept?: (scheme: string, token: string) => AcceptorAnswer;
  /** What an authenticated connection gets for a request without `Authorization`. @default 'ok' */
  afterAuth?: 'ok' | '401' | 'close';
}

const defaultAccept = (scheme: string, token: string): AcceptorAnswer =>
  scheme === 'Negotiate' && token.startsWith('spnego AP-REQ') ? { status: 200, token: 'AP-REP' } : { status: 401 };

/** A WS-Man endpoint over HTTPS on 127.0.0.1 whose authentication is bound to the connection, like HTTP.sys. */
async function startServer(options: ServerOptions = {}) {
  const offers = options.offers ?? ['Negotiate', 'Kerberos', 'Basic realm="WSMAN"'];
  const accept = options.accept ?? defaultAccept;
  const seen: Seen[] = [];
  const ids = new WeakMap<Socket, number>();
  const authenticated = new WeakSet<Socket>();
  let sockets = 0;
  let closed = 0;
  const server = https.createServer({ ...tls, keepAlive: true }, (req, res) => {
    const socket = req.socket;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const authorization = req.headers.authorization;
      seen.push({ socketId: ids.get(socket)!, authorization, body });
      if (authorization !== undefined) {
        const m = /^(\S+) (\S+)$/.exec(authorization);
        const scheme = m?.[1] ?? '';
        const answer = accept(scheme, unb64(m?.[2] ?? ''));
        if (answer.status === 200) authenticated.add(socket);
        const header = answer.token !== undefined ? [`${scheme} ${b64(answer.token)}`] : answer.status === 401 ? offers : [];
        res.writeHead(answer.status, header.length > 0 ? { 'WWW-Authenticate': header } : {});
        res.end();
        return;
      }
      if (!authenticated.has(socket) || options.afterAuth === '401') {
        res.writeHead(401, { 'WWW-Authenticate': offers });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/soap+xml;charset=UTF-8', ...(options.afterAuth === 'close' ? { Connection: 'close' } : {}) });
      res.end(`<reply>${body}</reply>`);
    });
  });
  server.on('secureConnection', (socket: Socket) => {
    ids.set(socket, ++sockets);
    socket.on('close', () => closed++);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    closedSockets: () => closed,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

type TestServer = Awaited<ReturnType<typeof startServer>>;
const servers: TestServer[] = [];
const connections: WsmanConnection[] = [];
afterEach(async () => {
  connections.splice(0).forEach((c) => c.close());
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(serverOptions: ServerOptions = {}, connectionOptions: Partial<WsmanConnectionOptions> = {}, kerberos = fakeKerberos()) {
  const server = await startServer(serverOptions);
  servers.push(server);
  let passwordReads = 0;
  const connection = new WsmanConnection({
    host: 'localhost',
    port: server.port,
    useSsl: true,
    caFile: `${tlsDir}localhost.crt`,
    authentication: 'Kerberos',
    username: '',
    password: () => {
      passwordReads++;
      return 'never-used';
    },
    loadKerberos: kerberos.load,
    ...connectionOptions,
  });
  connections.push(connection);
  return { server, connection, kerberos, passwordReads: () => passwordReads };
}

/** Lets pending socket events run (no timers), for up to 1000 turns. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('kerberosServiceName', () => {
  it.each([
    ['a fully qualified name', 'node1.corp.example.com', 'HTTP@node1.corp.example.com'],
    ['a short name, as given', 'NODE1', 'HTTP@NODE1'],
  ])('%s', (_name, host, service) => {
    expect(kerberosServiceName(host)).toBe(service);
  });

  it.each([['IPv4', '10.0.0.5'], ['IPv6', '::1'], ['bracketed IPv6', '[fe80::1]']])('refuses an %s address, saying why', (_name, host) => {
    let error: unknown;
    try {
      kerberosServiceName(host);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: KerberosErrorCode.hostNameRequired, exitCode: 2 });
    expect((error as AppError).message).toContain(`${host}: it is an IP address`);
    expect((error as AppError).hint).toContain('DNS name');
  });
});

describe('kerberosPrincipal', () => {
  it.each([
    ['empty: the ticket cache decides', '', undefined],
    ['blank', '  ', undefined],
    ['user@REALM', 'admin@CORP.EXAMPLE.COM', 'admin@CORP.EXAMPLE.COM'],
    ['a bare user (default realm)', 'admin', 'admin'],
  ])('%s', (_name, username, principal) => {
    expect(kerberosPrincipal(username)).toBe(principal);
  });

  it('refuses DOMAIN\\user and shows the user@REALM form', () => {
    expect(() => kerberosPrincipal('CORP\\admin')).toThrow(expect.objectContaining({ code: KerberosErrorCode.badPrincipal, exitCode: 2, hint: expect.stringContaining('admin@') }));
  });
});

describe('loadKerberosModule', () => {
  it('says how to install the package when it is missing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'kerberos'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = await rejection(loadKerberosModule(() => Promise.reject(missing)));
    expect(error).toMatchObject({ code: 'KERBEROS_UNAVAILABLE', exitCode: 2 });
    expect(error.message).toContain('not installed');
    expect(error.hint).toContain('npm install kerberos');
    expect(error.hint).toContain('libkrb5-dev');
  });

  it('tells an installed package that will not load from a missing one', async () => {
    const error = await rejection(loadKerberosModule(() => Promise.reject(new Error('Opening library libgssapi_krb5.so.2 failed'))));
    expect(error).toMatchObject({ code: 'KERBEROS_UNAVAILABLE', exitCode: 2 });
    expect(error.message).toContain('cannot be loaded: Opening library libgssapi_krb5.so.2 failed');
  });

  it('refuses a module that is not the kerberos addon', async () => {
    await expect(loadKerberosModule(async () => ({ default: {} }))).rejects.toMatchObject({ code: 'KERBEROS_UNAVAILABLE' });
  });

  it('accepts the package as a namespace or as its CommonJS default', async () => {
    const { load } = fakeKerberos();
    const module = await load();
    expect(await loadKerberosModule(async () => module)).toBe(module);
    expect(await loadKerberosModule(async () => ({ default: module }))).toBe(module);
  });

  it('with the real loader, either finds the package or fails with KERBEROS_UNAVAILABLE', async () => {
    // This project does not depend on kerberos; the test holds whether or not someone installed it.
    const outcome = await loadKerberosModule().then(
      (m) => typeof m.initializeClient,
      (error: unknown) => (error as AppError).code,
    );
    expect(['function', 'KERBEROS_UNAVAILABLE']).toContain(outcome);
  });
});

describe('KerberosContext', () => {
  it('asks for HTTP@<host> with SPNEGO and the ticket cache default principal', async () => {
    const kerberos = fakeKerberos();
    const context = await KerberosContext.create({ host: 'node1.corp.example.com', username: '' }, kerberos.load);
    expect(kerberos.contexts[0]).toMatchObject({ service: 'HTTP@node1.corp.example.com', options: { mechOID: 6 } });
    expect(kerberos.contexts[0]!.options).not.toHaveProperty('principal');
    expect((await context.step())!.toString()).toBe('spnego AP-REQ HTTP@node1.corp.example.com');
    expect(context.complete).toBe(false);
    expect(await context.step(Buffer.from('AP-REP'))).toBeUndefined();
    expect(context.complete).toBe(true);
    expect(context.principalLabel).toBe('jdoe@CORP.EXAMPLE.COM');
  });

  it('passes --username as the principal, and the Kerberos mechanism for the Kerberos scheme', async () => {
    const kerberos = fakeKerberos();
    await KerberosContext.create({ host: 'n.corp.example.com', username: 'admin@CORP.EXAMPLE.COM', scheme: 'Kerberos' }, kerberos.load);
    expect(kerberos.contexts[0]!.options).toEqual({ principal: 'admin@CORP.EXAMPLE.COM', mechOID: 9 });
  });

  it('checks the names before loading anything', async () => {
    const kerberos = fakeKerberos();
    await expect(KerberosContext.create({ host: '192.0.2.7', username: '' }, kerberos.load)).rejects.toMatchObject({ code: KerberosErrorCode.hostNameRequired });
    await expect(KerberosContext.create({ host: 'n.example', username: 'CORP\\admin' }, kerberos.load)).rejects.toMatchObject({ code: KerberosErrorCode.badPrincipal });
    expect(kerberos.loads()).toBe(0);
  });

  it('refuses a package too old for SPNEGO', async () => {
    await expect(KerberosContext.create({ host: 'n.example', username: '' }, fakeKerberos({ spnego: false }).load)).rejects.toMatchObject({ code: 'KERBEROS_UNAVAILABLE' });
  });

  it('turns a GSSAPI failure into TRANSPORT_AUTH_REFUSED naming node, principal and service', async () => {
    const kerberos = fakeKerberos({ initError: new Error('No Kerberos credentials available') });
    const error = await rejection(KerberosContext.create({ host: 'n1.corp.example.com', username: 'admin@CORP.EXAMPLE.COM' }, kerberos.load));
    expect(error).toMatchObject({ code: WinRmErrorCode.authRefused, exitCode: 4, details: { node: 'n1.corp.example.com', principal: 'admin@CORP.EXAMPLE.COM', service: 'HTTP@n1.corp.example.com' } });
    expect(error.message).toBe('Kerberos authentication of admin@CORP.EXAMPLE.COM to n1.corp.example.com (service HTTP@n1.corp.example.com) failed: No Kerberos credentials available');
    expect(error.hint).toContain('kinit admin@CORP.EXAMPLE.COM');
  });
});

describe('authChallenge', () => {
  it.each([
    ['a token', ['WWW-Authenticate', `Negotiate ${b64('tok')}`], 'negotiate', { offered: true, token: Buffer.from('tok') }],
    ['an offer without a token', ['WWW-Authenticate', 'Negotiate', 'WWW-Authenticate', 'Basic realm="WSMAN"'], 'Negotiate', { offered: true }],
    ['offers joined in one header', ['www-authenticate', 'Basic realm="WSMAN", Kerberos'], 'Kerberos', { offered: true }],
    ['no such offer', ['WWW-Authenticate', 'Basic realm="Negotiate"'], 'Negotiate', { offered: false }],
  ])('%s', (_name, raw, scheme, expected) => {
    expect(authChallenge(raw, scheme)).toEqual(expected);
  });
});

describe('WsmanConnection with Kerberos over HTTPS', () => {
  it('sends Negotiate <token> on an empty POST, feeds the 200 token back, then posts on the same connection', async () => {
    const { server, connection, kerberos, passwordReads } = await setup();
    const reply = await connection.post('<Envelope/>', 'Create');
    expect(reply).toEqual({ status: 200, body: '<reply><Envelope/></reply>' });
    expect(server.seen).toEqual([
      { socketId: 1, authorization: `Negotiate ${b64('spnego AP-REQ HTTP@localhost')}`, body: '' },
      { socketId: 1, authorization: undefined, body: '<Envelope/>' },
    ]);
    expect(kerberos.contexts).toEqual([{ service: 'HTTP@localhost', options: { mechOID: 6 }, steps: ['', 'AP-REP'] }]);

    await connection.post('<Again/>', 'Send');
    expect(server.seen[2]).toEqual({ socketId: 1, authorization: undefined, body: '<Again/>' });
    expect(connection.stats).toEqual({ requests: 3, handshakes: 1 });
    expect(passwordReads()).toBe(0);
  });

  it('answers a 401 that carries a continuation token on the same connection', async () => {
    const accept = (_scheme: string, token: string): AcceptorAnswer =>
      token.endsWith('AP-REQ-2') ? { status: 200, token: 'AP-REP' } : { status: 401, token: 'MORE' };
    const { server, connection, kerberos } = await setup({ accept });
    await connection.post('<Envelope/>', 'Create');
    expect(server.seen.map((s) => [s.socketId, s.authorization && unb64(s.authorization.split(' ')[1]!)])).toEqual([
      [1, 'spnego AP-REQ HTTP@localhost'],
      [1, 'spnego AP-REQ-2'],
      [1, undefined],
    ]);
    expect(kerberos.contexts[0]!.steps).toEqual(['', 'MORE', 'AP-REP']);
  });

  it('falls back to the Kerberos scheme when the node offers it and not Negotiate', async () => {
    const accept = (scheme: string, token: string): AcceptorAnswer =>
      scheme === 'Kerberos' && token.startsWith('krb5 AP-REQ') ? { status: 200, token: 'AP-REP' } : { status: 401 };
    const { server, connection, kerberos } = await setup({ offers: ['Kerberos', 'Basic realm="WSMAN"'], accept });
    await connection.post('<Envelope/>', 'Create');
    expect(server.seen.map((s) => s.authorization?.split(' ')[0])).toEqual(['Negotiate', 'Kerberos', undefined]);
    expect(kerberos.contexts.map((c) => c.options)).toEqual([{ mechOID: 6 }, { mechOID: 9 }]);
    expect(connection.stats.handshakes).toBe(1);
  });

  it('refuses a node that accepts the ticket without a mutual-authentication token', async () => {
    const { server, connection } = await setup({ accept: () => ({ status: 200 }) });
    const error = await rejection(connection.post('<Envelope/>', 'Create'));
    expect(error).toMatchObject({ code: WinRmErrorCode.authRefused, exitCode: 4 });
    expect(error.message).toContain('did not prove its own identity');
    expect(server.seen).toHaveLength(1);
  });

  it('refuses a ticket the node rejects, naming node and principal', async () => {
    const { connection } = await setup({ accept: () => ({ status: 401 }) }, { username: 'admin@CORP.EXAMPLE.COM' });
    const error = await rejection(connection.post('<Envelope/>', 'Create'));
    expect(error).toMatchObject({ code: 'TRANSPORT_AUTH_REFUSED', exitCode: 4 });
    expect(error.message).toBe('WinRM on localhost refused the credentials of admin@CORP.EXAMPLE.COM: the node refused the Kerberos ticket for HTTP@localhost');
    expect(error.hint).toContain('kinit');
  });

  it('with --node-address NAME=IP, asks for a ticket for HTTP@NAME and checks the certificate against NAME', async () => {
    const kerberos = fakeKerberos();
    const { connection } = await setup({}, { host: '127.0.0.1', serverName: 'localhost' }, kerberos);
    await connection.post('<Envelope/>', 'Create');
    expect(kerberos.contexts[0]).toMatchObject({ service: 'HTTP@localhost' });
  });

  it('points to NTLM over HTTPS when a node that enforces channel binding refuses the ticket (issue 14 §8)', async () => {
    // Extended Protection (CbtHardeningLevel Strict) refuses a Kerberos token without channel bindings with a
    // bare 401, as here; cauctl cannot send bindings with Kerberos, so the hint names what does.
    const { connection } = await setup({ accept: () => ({ status: 401 }) }, { username: 'admin@CORP.EXAMPLE.COM' });
    const error = await rejection(connection.post('<Envelope/>', 'Create'));
    expect(error).toMatchObject({ code: 'TRANSPORT_AUTH_REFUSED', exitCode: 4, transient: false, details: { channelBindingsSent: false } });
    expect(error.hint).toContain('CbtHardeningLevel');
    expect(error.hint).toContain('NTLM over HTTPS');
    expect(error.hint).toContain('--use-ssl');
  });

  it('reports the GSSAPI error of a KRB-ERROR token', async () => {
    const { connection } = await setup({ accept: () => ({ status: 401, token: 'KRB-ERROR' }) });
    const error = await rejection(connection.post('<Envelope/>', 'Create'));
    expect(error).toMatchObject({ code: 'TRANSPORT_AUTH_REFUSED', exitCode: 4 });
    expect(error.message).toContain('to localhost (service HTTP@localhost) failed: Clock skew too great');
  });

  it('a 401 after the exchange is TRANSPORT_AUTH_REFUSED naming node and the authenticated principal', async () => {
    const { connection } = await setup({ afterAuth: '401' }, {}, fakeKerberos({ username: 'ops@CORP.EXAMPLE.COM' }));
    const error = await rejection(connection.post('<Envelope/>', 'Create'));
    expect(error).toMatchObject({ code: 'TRANSPORT_AUTH_REFUSED', exitCode: 4 });
    expect(error.message).toBe('WinRM on localhost refused the credentials of ops@CORP.EXAMPLE.COM: HTTP 401 after Kerberos authentication');
    expect(error.hint).toContain('klist');
  });

  it('authenticates again, with a new context, once the connection is gone', async () => {
    const { server, connection, kerberos } = await setup({ afterAuth: 'close' });
    await connection.post('<One/>', 'Create');
    await waitFor(() => server.closedSockets() === 1);
    await waitFor(() => false); // lets the client's side of the close run too
    await connection.post('<Two/>', 'Command');
    expect(server.seen.map((s) => [s.socketId, s.authorization === undefined ? s.body : 'token'])).toEqual([
      [1, 'token'],
      [1, '<One/>'],
      [2, 'token'],
      [2, '<Two/>'],
    ]);
    expect(kerberos.contexts).toHaveLength(2);
    expect(connection.stats.handshakes).toBe(2);
  });

  it('authenticates again after reset()', async () => {
    const { server, connection } = await setup();
    await connection.post('<One/>', 'Create');
    connection.reset();
    await connection.post('<Two/>', 'Command');
    expect(server.seen.filter((s) => s.authorization !== undefined)).toHaveLength(2);
    expect(connection.stats.handshakes).toBe(2);
  });

  it('is refused over plain HTTP, naming --use-ssl, before loading the package or sending anything', async () => {
    const { server, connection, kerberos } = await setup({}, { useSsl: false });
    const error = await rejection(connection.post('<Envelope/>', 'Create'));
    expect(error).toMatchObject({ code: 'KERBEROS_UNAVAILABLE', exitCode: 2 });
    expect(error.message).toContain('--use-ssl');
    expect(error.message).toContain('gss_wrap_iov');
    expect(kerberos.loads()).toBe(0);
    expect(server.seen).toHaveLength(0);
  });

  it('without the package, says how to install it and sends nothing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'kerberos'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const { server, connection } = await setup({}, { loadKerberos: () => Promise.reject(missing) });
    const error = await rejection(connection.post('<Envelope/>', 'Create'));
    expect(error).toMatchObject({ code: 'KERBEROS_UNAVAILABLE', exitCode: 2 });
    expect(error.hint).toContain('npm install kerberos');
    expect(server.seen).toHaveLength(0);
  });

  it('refuses an IP address as the node before sending anything', async () => {
    const { server, connection } = await setup({}, { host: '127.0.0.1' });
    await expect(connection.post('<Envelope/>', 'Create')).rejects.toMatchObject({ code: KerberosErrorCode.hostNameRequired, exitCode: 2 });
    expect(server.seen).toHaveLength(0);
  });
});
