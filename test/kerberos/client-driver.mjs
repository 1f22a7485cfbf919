// Runs cauctl's built WinRM connection (dist/) with the real `kerberos` package in a process of its own, so that
// KRB5_CONFIG and KRB5CCNAME reach the GSSAPI library (jest's process.env is a copy that native code never
// sees). Argv: one JSON object { host, port, caFile, username, posts: [{ xml, operation, before }] }, where
// `before` is 'reset' (connection.reset()) or 'wait-close' (let a closed socket's events run). Prints one JSON
// object: { replies, stats, error } with the AppError's code, exitCode, message, hint and details.
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { WsmanConnection } from '../../dist/transport/winrm/http-connection.js';

const job = JSON.parse(process.argv[2]);
const connection = new WsmanConnection({
  host: job.host,
  port: job.port,
  useSsl: true,
  caFile: job.caFile,
  authentication: 'Kerberos',
  username: job.username ?? '',
  password: () => {
    throw new Error('Kerberos must never read the password');
  },
  connectTimeoutMs: 10000,
  requestTimeoutMs: 20000,
});
const replies = [];
let error;
try {
  for (const post of job.posts) {
    if (post.before === 'reset') connection.reset();
    if (post.before === 'wait-close') await sleep(300);
    replies.push(await connection.post(post.xml, post.operation));
  }
} catch (e) {
  error = { code: e.code, exitCode: e.exitCode, message: e.message, hint: e.hint, details: e.details };
}
connection.close();
process.stdout.write(JSON.stringify({ replies, stats: connection.stats, error }) + '\n');
