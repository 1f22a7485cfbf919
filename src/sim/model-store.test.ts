import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelStore, ModelStoreCorrupt, readSavedModel, sameJson } from './model-store.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cauctl-store-'));
  path = join(dir, 'model.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Doc {
  storeGeneration: number;
  clock: number;
  nodes: { name: string; state: string; pending?: number }[];
  tasks: { id: string; done: boolean }[];
  roles: { name: string; owner: string }[];
  cauRole?: { name: string } | null;
  events: number[];
}

function aDoc(): Doc {
  return {
    storeGeneration: 1,
    clock: 1000,
    nodes: [
      { name: 'N1', state: 'Up' },
      { name: 'N2', state: 'Up', pending: 3 },
    ],
    tasks: [],
    roles: [{ name: 'VM1', owner: 'N1' }],
    cauRole: { name: 'CAU-1' },
    events: [5, 9],
  };
}

/** One save of a writer, as index.ts does it: bump the generation, then append. */
function save(store: ModelStore, doc: Doc): void {
  doc.storeGeneration += 1;
  store.append(doc, doc.storeGeneration);
}

const logLines = (): string[] => readFileSync(join(dir, 'model.log'), 'utf8').split('\n').filter((l) => l !== '');

describe('model store: snapshot plus change log', () => {
  it('a second reader sees every change, removed fields and shortened arrays included', () => {
    const writer = new ModelStore(path);
    const doc = aDoc();
    writer.append(doc, doc.storeGeneration);
    doc.nodes[1]!.state = 'Paused';
    delete doc.nodes[1]!.pending;
    doc.tasks.push({ id: 't1', done: false }, { id: 't2', done: false });
    save(writer, doc);
    doc.tasks[0]!.done = true;
    doc.tasks.pop();
    doc.roles[0]!.owner = 'N2';
    doc.cauRole = undefined;
    doc.events = [9];
    doc.clock = 2000;
    save(writer, doc);
    const { cauRole: _gone, ...expected } = doc;
    expect(readSavedModel(path)).toEqual(expected);
  });

  it('logs only what changed: of one node of many, only its field that changed', () => {
    const writer = new ModelStore(path);
    const doc = aDoc();
    writer.append(doc, doc.storeGeneration);
    doc.nodes[1]!.state = 'Down';
    save(writer, doc);
    expect(logLines().map((l) => JSON.parse(l))).toEqual([{ g: 2, set: { 'nodes.1.state': 'Down', storeGeneration: 2 } }]);
    // Nothing changed: nothing is written.
    writer.append(doc, doc.storeGeneration);
    expect(logLines()).toHaveLength(1);
  });

  it('a line torn by a killed process is skipped, and the next append is not lost behind it', () => {
    const writer = new ModelStore(path);
    const doc = aDoc();
    writer.append(doc, doc.storeGeneration);
    doc.clock = 2000;
    save(writer, doc);
    appendFileSync(join(dir, 'model.log'), '{"g":3,"set":{"clock":99'); // killed mid-append
    const next = new ModelStore(path);
    const reopened = next.read() as unknown as Doc;
    expect(reopened.clock).toBe(2000);
    reopened.nodes[0]!.state = 'Paused';
    save(next, reopened);
    expect(readSavedModel(path)).toMatchObject({ clock: 2000, storeGeneration: 3, nodes: [{ state: 'Paused' }, { state: 'Up' }] });
  });

  it('compaction folds the log into the snapshot; entries it already holds are skipped if the log survived', () => {
    const writer = new ModelStore(path);
    const doc = aDoc();
    writer.append(doc, doc.storeGeneration);
    doc.clock = 2000;
    save(writer, doc);
    const log = readFileSync(join(dir, 'model.log'), 'utf8');
    writer.compact(doc);
    expect(() => readFileSync(join(dir, 'model.log'))).toThrow(/ENOENT/);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(doc);
    // A crash between the snapshot's rename and the log's removal: the old entries must not be applied again.
    writeFileSync(join(dir, 'model.log'), log.replace('2000', '1500'));
    expect(readSavedModel(path)).toMatchObject({ clock: 2000 });
  });

  it("notices another process's write by the files alone, and reads it", () => {
    const a = new ModelStore(path);
    const doc = aDoc();
    a.append(doc, doc.storeGeneration);
    const b = new ModelStore(path);
    const theirs = b.read() as unknown as Doc;
    expect(a.changedOnDisk()).toBe(false);
    expect(b.changedOnDisk()).toBe(false);
    theirs.roles.push({ name: 'VM2', owner: 'N2' });
    save(b, theirs);
    expect(a.changedOnDisk()).toBe(true);
    expect(b.changedOnDisk()).toBe(false);
    expect((a.read() as unknown as Doc).roles).toHaveLength(2);
    expect(a.changedOnDisk()).toBe(false);
  });

  it('a snapshot that is not JSON is corrupt; no snapshot is no model', () => {
    expect(new ModelStore(path).read()).toBeUndefined();
    writeFileSync(path, '{');
    expect(() => new ModelStore(path).read()).toThrow(ModelStoreCorrupt);
  });

  it('the log is folded in by itself once it outgrows its bound', () => {
    const writer = new ModelStore(path);
    const doc = aDoc();
    writer.append(doc, doc.storeGeneration);
    for (let i = 0; i < 400; i++) {
      doc.tasks.push({ id: `task-${i}-${'x'.repeat(1000)}`, done: false });
      save(writer, doc);
    }
    expect(readFileSync(join(dir, 'model.log'), 'utf8').length).toBeLessThan(300 * 1024);
    expect(readSavedModel(path)).toEqual(doc);
  });
});

describe('model store: bookkeeping', () => {
  it('the operation counters are written with the snapshot only, never logged', () => {
    const writer = new ModelStore(path);
    const doc = { ...aDoc(), opCounts: { 'get-node-status': 1 }, recentOps: [{ op: 'get-node-status' }] };
    writer.append(doc, doc.storeGeneration);
    doc.opCounts['get-node-status'] = 2;
    doc.recentOps.push({ op: 'suspend-node' });
    doc.nodes[0]!.state = 'Paused';
    save(writer, doc);
    expect(logLines().map((l) => JSON.parse(l))).toEqual([{ g: 2, set: { 'nodes.0.state': 'Paused', storeGeneration: 2 } }]);
    expect(readSavedModel(path)).toMatchObject({ opCounts: { 'get-node-status': 1 }, nodes: [{ state: 'Paused' }, { state: 'Up' }] });
    writer.compact(doc);
    expect(readSavedModel(path)).toEqual(doc);
  });
});

function withEnv(env: Record<string, string | undefined>, body: () => void): void {
  const before = { NODE_ENV: process.env.NODE_ENV, CAUCTL_SIM_STORE_CHECK: process.env.CAUCTL_SIM_STORE_CHECK };
  Object.assign(process.env, env);
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
  try {
    body();
  } finally {
    for (const [key, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe('model store: settled elements', () => {
  const withTasks = (): Doc & { tasks: { id: string; done: boolean; state: string }[] } => ({
    ...aDoc(),
    tasks: [
      { id: 't1', done: true, state: 'Completed' },
      { id: 't2', done: false, state: 'Running' },
    ],
  });

  it('a finished task is not compared outside tests; a running one is, and so is a new one', () => {
    withEnv({ NODE_ENV: 'production', CAUCTL_SIM_STORE_CHECK: undefined }, () => {
      const writer = new ModelStore(path);
      const doc = withTasks();
      writer.append(doc, doc.storeGeneration);
      doc.tasks[0]!.done = false; // never done by the model: shows that settled tasks are skipped
      doc.tasks[1]!.state = 'Completed';
      doc.tasks.push({ id: 't3', done: false, state: 'Running' });
      save(writer, doc);
      expect(logLines().map((l) => Object.keys((JSON.parse(l) as { set: object }).set).sort())).toEqual([['storeGeneration', 'tasks.1', 'tasks.2']]);
    });
  });

  it('in tests every task is compared, and a change of a settled one is a bug that throws', () => {
    withEnv({ NODE_ENV: 'production', CAUCTL_SIM_STORE_CHECK: '1' }, () => {
      const writer = new ModelStore(path);
      const doc = withTasks();
      writer.append(doc, doc.storeGeneration);
      doc.tasks[0]!.done = false;
      expect(() => save(writer, doc)).toThrow(/tasks\[0\] changed after it was settled/);
    });
  });
});

describe('model store: written elements', () => {
  const markedSave = (store: ModelStore, doc: Doc, nodes: ReadonlySet<unknown>): void => {
    doc.storeGeneration += 1;
    store.append(doc, doc.storeGeneration, { nodes });
  };
  const setKeys = (): string[][] => logLines().map((l) => Object.keys((JSON.parse(l) as { set?: object }).set ?? {}).sort());

  it('outside tests only the marked nodes are compared and logged; a node added past the saved length always is', () => {
    withEnv({ NODE_ENV: 'production', CAUCTL_SIM_STORE_CHECK: undefined }, () => {
      const writer = new ModelStore(path);
      const doc = aDoc();
      writer.append(doc, doc.storeGeneration);
      doc.nodes[0]!.state = 'Paused'; // unmarked: never done by the model, shows that it is not compared
      doc.nodes[1]!.state = 'Down';
      doc.nodes.push({ name: 'N3', state: 'Up' });
      markedSave(writer, doc, new Set([doc.nodes[1]]));
      expect(setKeys()).toEqual([['nodes.1.state', 'nodes.2', 'storeGeneration']]);
      expect((readSavedModel(path) as unknown as Doc).nodes.map((n) => n.state)).toEqual(['Up', 'Down', 'Up']);
    });
  });

  it('logs only the fields of a node that changed, and a removed field by its path', () => {
    const writer = new ModelStore(path);
    const doc = aDoc();
    writer.append(doc, doc.storeGeneration);
    doc.nodes[1]!.state = 'Down';
    delete doc.nodes[1]!.pending;
    markedSave(writer, doc, new Set([doc.nodes[1]]));
    expect(JSON.parse(logLines()[0]!)).toEqual({ g: 2, set: { storeGeneration: 2, 'nodes.1.state': 'Down' }, del: ['nodes.1.pending'] });
    expect(readSavedModel(path)).toEqual(doc);
  });

  it('in tests every node is compared, and a node that changed with no mark throws (a write site forgot ClusterModel.touch)', () => {
    withEnv({ NODE_ENV: 'production', CAUCTL_SIM_STORE_CHECK: '1' }, () => {
      const writer = new ModelStore(path);
      const doc = aDoc();
      writer.append(doc, doc.storeGeneration);
      doc.nodes[1]!.state = 'Down';
      markedSave(writer, doc, new Set([doc.nodes[1]]));
      doc.nodes[0]!.state = 'Paused';
      expect(() => markedSave(writer, doc, new Set([doc.nodes[1]]))).toThrow(/nodes\[0\] changed with no mark of its write/);
    });
  });
});

describe('sameJson', () => {
  it('is equality as JSON sees it', () => {
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson([1, [2, { c: 'x' }]], [1, [2, { c: 'x' }]])).toBe(true);
    expect(sameJson([1, 2], [1, 2, 3])).toBe(false);
    expect(sameJson([1], { 0: 1 })).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson({ a: { b: 1 } }, { a: { b: 2 } })).toBe(false);
  });
});
