/**
 * zod's compiled fast path of a schema (`z.compile`), made on the schema's first use and kept: for the schemas a
 * run parses thousands of times (each node reply and each operation's parameters at the gateway, each journal
 * record before it is written). Valid input takes the generated code; anything else falls back to zod's own
 * parser, so what is refused, and the issues named, stay exactly zod's. A schema zod cannot compile is returned
 * as it is. Depends on zod only.
 */
import { z } from 'zod';

const compiled = new WeakMap<z.ZodType, z.ZodType>();

export function compiledSchema<T extends z.ZodType>(schema: T): T {
  let fast = compiled.get(schema) as T | undefined;
  if (fast === undefined) {
    fast = z.compile(schema);
    compiled.set(schema, fast);
  }
  return fast;
}
