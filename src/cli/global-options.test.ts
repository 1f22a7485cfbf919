// The WinRM execution options of the global profile (issue 19): --winrm-mode and --winrm-idle-timeout.
import { resolveGlobals } from './global-options.js';
import type { CliIo } from './io.js';

const io = { env: {} } as unknown as CliIo;

describe('--winrm-mode and --winrm-idle-timeout', () => {
  it('default to per-operation and 30 minutes', () => {
    expect(resolveGlobals({}, io)).toMatchObject({ winrmMode: 'per-operation', winrmIdleTimeoutMinutes: 30 });
  });

  it('take persistent and a number of minutes', () => {
    expect(resolveGlobals({ winrmMode: 'persistent', winrmIdleTimeout: '90' }, io)).toMatchObject({ winrmMode: 'persistent', winrmIdleTimeoutMinutes: 90 });
  });

  it.each(['0', '1441', '1.5', 'ten', ''])('refuse an idle timeout of %j as a usage error naming the flag', (value) => {
    expect(() => resolveGlobals({ winrmIdleTimeout: value }, io)).toThrow(expect.objectContaining({ code: 'USAGE_WINRM_IDLE_TIMEOUT', exitCode: 2, message: expect.stringContaining('--winrm-idle-timeout') }));
  });
});
