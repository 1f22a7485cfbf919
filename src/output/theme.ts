/** Colours for human output, in one place over chalk. Off when NO_COLOR, --no-color or not a TTY. */
import { Chalk, type ChalkInstance } from 'chalk';

export interface Theme {
  readonly ok: (s: string) => string;
  readonly warn: (s: string) => string;
  readonly err: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly status: (status: string) => string;
}

export function createTheme(color: boolean): Theme {
  const c: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  const status = (s: string): string => {
    switch (s) {
      case 'Succeeded':
      case 'Pass':
        return c.green(s);
      case 'PartiallyFailed':
      case 'Warning':
      case 'Canceled':
        return c.yellow(s);
      case 'Failed':
      case 'Fail':
      case 'Error':
        return c.red(s);
      default:
        return s;
    }
  };
  return { ok: c.green, warn: c.yellow, err: c.red, dim: c.dim, bold: c.bold, status };
}
