// Tests for the CLIXML stderr decoder: crafted Windows PowerShell 5.1-style documents and a real PowerShell 7 one.
import { readFileSync } from 'node:fs';
import { decodeClixml, decodeClixmlEscapes, isClixml } from './clixml.js';

const NS = 'xmlns="http://schemas.microsoft.com/powershell/2004/04"';
const progress =
  '<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN>' +
  '<MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil />' +
  '<PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj>';

/** What powershell.exe 5.1 writes for `Write-Error` with redirected streams (one S element per line). */
const windowsPowerShellError =
  '#< CLIXML\r\n' +
  `<Objs Version="1.1.0.1" ${NS}>${progress}` +
  '<S S="Error">Get-Item : Cannot find path &apos;C:\\nope&apos; because it does not exist._x000D__x000A_</S>' +
  '<S S="Error">At line:1 char:1_x000D__x000A_</S>' +
  '<S S="Error">+ Get-Item C:\\nope_x000D__x000A_</S>' +
  '</Objs>';

describe('decodeClixmlEscapes', () => {
  it.each([
    ['CRLF', 'a_x000D__x000A_b', 'a\r\nb'],
    ['tab and NUL', '_x0009__x0000_', '\t\0'],
    ['surrogate pair (emoji)', 'x_xD83D__xDE00_y', 'x\u{1F600}y'],
    ['lower-case hex', '_xd83d__xde00_', '\u{1F600}'],
    ['escaped underscore before x', '_x005F_x0041_', '_x0041_'],
    ['not an escape (3 digits)', '_x041_', '_x041_'],
    ['plain text', 'no escapes here', 'no escapes here'],
  ])('%s', (_name, input, expected) => {
    expect(decodeClixmlEscapes(input)).toBe(expected);
  });
});

describe('decodeClixml', () => {
  it('returns text without a CLIXML header unchanged', () => {
    expect(isClixml('plain error\n')).toBe(false);
    expect(decodeClixml('plain error\n')).toBe('plain error\n');
  });

  it('joins the Error lines of a Windows PowerShell 5.1 document, drops progress, decodes entities', () => {
    expect(isClixml(windowsPowerShellError)).toBe(true);
    expect(decodeClixml(windowsPowerShellError)).toBe(
      "Get-Item : Cannot find path 'C:\\nope' because it does not exist.\r\nAt line:1 char:1\r\n+ Get-Item C:\\nope\r\n",
    );
  });

  it('reads every <Objs> document after one header, keeping noise between them', () => {
    const text =
      'banner before\r\n#< CLIXML\r\n' +
      `<Objs Version="1.1.0.1" ${NS}><S S="Error">first_x000D__x000A_</S></Objs>\r\n` +
      'stray text\r\n' +
      `<Objs Version="1.1.0.1" ${NS}>${progress}<S S="Error">second _xD83D__xDE00_</S></Objs>`;
    expect(decodeClixml(text)).toBe('banner before\r\nfirst\r\nstray text\r\nsecond \u{1F600}');
  });

  it('keeps warnings by default and verbose only when asked, matching stream names without case', () => {
    const text =
      `#< CLIXML\r\n<Objs Version="1.1.0.1" ${NS}><S S="warning">careful</S><S S="verbose">chatty</S>` +
      '<S S="Error">boom</S></Objs>';
    expect(decodeClixml(text)).toBe('carefulboom');
    expect(decodeClixml(text, { streams: ['Error'] })).toBe('boom');
    expect(decodeClixml(text, { streams: ['Verbose', 'error'] })).toBe('chattyboom');
  });

  it('drops a document that holds only progress', () => {
    expect(decodeClixml(`#< CLIXML\r\n<Objs Version="1.1.0.1" ${NS}>${progress}</Objs>`)).toBe('');
  });

  it('keeps the raw text of a document that is not well-formed XML', () => {
    const broken = `<Objs Version="1.1.0.1" ${NS}><S S="Error">unclosed<S></Objs>`;
    expect(decodeClixml(`#< CLIXML\r\n${broken}`)).toBe(broken);
  });

  it('keeps a truncated trailing document raw', () => {
    const truncated = `<Objs Version="1.1.0.1" ${NS}><S S="Error">cut off`;
    expect(decodeClixml(`#< CLIXML\r\n${truncated}`)).toBe(truncated);
  });

  it('decodes a real PowerShell 7 record (<Obj S="Error"> with <ToString>), smart quotes and emoji intact', () => {
    const text = readFileSync(new URL('../../test/pwsh/fixtures/pwsh7-write-error.clixml', import.meta.url), 'utf8');
    expect(decodeClixml(text)).toBe('warnbad \u201cthing\u201d \u{1F600}\n');
    expect(decodeClixml(text, { streams: ['Error'] })).toBe('bad \u201cthing\u201d \u{1F600}\n');
  });
});
