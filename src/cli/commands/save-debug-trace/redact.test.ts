import { REDACTED, redactFile, redactJson, redactText } from './redact.js';

describe('redactText', () => {
  it.each([
    ['a Teams web hook', 'posting to https://contoso.webhook.office.com/webhookb2/abc-123/IncomingWebhook/xyz failed', `posting to https://contoso.webhook.office.com/${REDACTED} failed`],
    ['a Slack web hook in quotes', "url 'https://hooks.slack.com/services/T0/B0/s3cr3t'", `url 'https://hooks.slack.com/${REDACTED}'`],
    ['a URL with user:password@', 'http://admin:Hunter2@10.0.0.5:8080', `http://10.0.0.5:8080/${REDACTED}`],
    ['a bare host stays', 'https://node1.contoso.com:5986', 'https://node1.contoso.com:5986'],
    ['key=value secrets', 'password=Hunter2; apiKey: abc123 token="t0k"', `password=${REDACTED}; apiKey: ${REDACTED} token="${REDACTED}"`],
    ['a Bearer credential', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', `Authorization: Bearer ${REDACTED}`],
    ['plain words stay', 'NODE2 failed: 0x80240022 after 3 attempts', 'NODE2 failed: 0x80240022 after 3 attempts'],
  ])('%s', (_name, input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

describe('redactJson', () => {
  it('replaces values under secret keys whatever their type, scans every string, keeps the rest and counts', () => {
    const counter = { count: 0 };
    const out = redactJson(
      {
        runId: 'r1',
        plugins: [{ plugin: 'Microsoft.HotfixPlugin', arguments: { HotfixRootFolderPath: '\\\\srv\\hotfix', Password: 'Hunter2' } }],
        credential: { user: 'CONTOSO\\admin', pwd: 'x' },
        notifyWebhook: 'https://hooks.slack.com/services/T0/B0/s3cr3t',
        apiKey: 42,
        accessToken: null,
        warnings: ['retry with token=abc'],
        maxRetriesPerNode: 3,
      },
      counter,
    );
    expect(out).toEqual({
      runId: 'r1',
      plugins: [{ plugin: 'Microsoft.HotfixPlugin', arguments: { HotfixRootFolderPath: '\\\\srv\\hotfix', Password: REDACTED } }],
      credential: REDACTED,
      notifyWebhook: REDACTED,
      apiKey: REDACTED,
      accessToken: null,
      warnings: [`retry with token=${REDACTED}`],
      maxRetriesPerNode: 3,
    });
    expect(counter.count).toBe(5);
  });
});

describe('redactFile', () => {
  it('JSON Lines line by line, a torn last line as text', () => {
    const text = '{"seq":1,"password":"a"}\n{"seq":2,"message":"token=b"}\n{"seq":3,"mess';
    expect(redactFile('r.jsonl', text)).toBe(`{"seq":1,"password":"${REDACTED}"}\n{"seq":2,"message":"token=${REDACTED}"}\n{"seq":3,"mess`);
  });
  it('a .json file that is not JSON is redacted as text', () => {
    expect(redactFile('x.json', '{ "password": "abc", oops')).toBe(`{ "password": "${REDACTED}", oops`);
  });
});
