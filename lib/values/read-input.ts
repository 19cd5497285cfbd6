/**
 * Reads and parses the YAML files a user gives (`-f values.yaml`, a Workspace
 * file) the way Helm reads values, within bounds: files, pipes and `-` (stdin;
 * `-f <(sops -d secrets.yaml)` keeps decrypted values off disk), at most
 * MAX_INPUT_BYTES, so a stream that never ends (/dev/zero, `yes |`) is refused
 * at the bound rather than waited on; YAML 1.1 scalars as Helm's Go parser
 * reads them (`yes`, `on` are booleans, !!binary is text), one document, and
 * duplicate keys refused in one linear pass (the yaml package's own check is
 * quadratic in the keys of a map). Helm itself silently takes the first of
 * several documents and the last of duplicate keys; we refuse both, on purpose.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { isMap, isSeq, parseAllDocuments, type Node, type ScalarTag, type Tags } from 'yaml';

/** Far above any real values file (the upstream chart's is 10 KB), far below what would hurt. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;
/** `-f -`: standard input. */
export const STDIN = '-';

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

const osReason = (err: unknown) => {
  const m = /^[A-Z]+: ([^,]+)/.exec((err as Error).message ?? '');
  return m ? m[1] : String((err as Error).message ?? err);
};

/** Standard input can be read once: a second `-f -` gets the same text. */
let stdinText: string | undefined;

/** The text of a file, a pipe, a character device or `-` (stdin), of at most MAX_INPUT_BYTES. */
export function readInputText(file: string): string {
  if (file === STDIN) return (stdinText ??= readBounded(0, 'standard input (-f -)'));
  let fd: number;
  try {
    // A FIFO is opened blocking (it waits for its writer, as Helm does); anything else without waiting.
    const fifo = statSync(file, { throwIfNoEntry: false })?.isFIFO() ?? false;
    fd = openSync(file, constants.O_RDONLY | (fifo ? 0 : constants.O_NONBLOCK));
  } catch (err) {
    throw new InputError(`${file}: cannot read (${osReason(err)})`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(`${file}: is a folder; give a YAML file`);
    if (st.isSocket()) throw new InputError(`${file}: is a socket; give a file, a pipe (-f <(command)) or - for standard input`);
    if (st.isFile() && st.size > MAX_INPUT_BYTES) throw new InputError(`${file}: is ${st.size} bytes; at most ${MAX_INPUT_BYTES} are read`);
    return readBounded(fd, file);
  } finally {
    closeSync(fd);
  }
}

/** Reads to the end, refusing at the bound: a stream that never ends is not waited on. */
function readBounded(fd: number, name: string): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        // A non-blocking pipe with nothing in it yet: wait a little, then read again.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (n === 0) break;
      total += n;
      if (total > MAX_INPUT_BYTES) throw new InputError(`${name}: is more than ${MAX_INPUT_BYTES} bytes; at most that many are read (a stream that never ends?)`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${name}: cannot read (${osReason(err)})`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `line 3, column 5` of a node, for messages. */
function where(text: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

/** Refuses a key given twice in one map, walking every map once. */
function checkDuplicateKeys(root: Node | null, text: string, file: string): void {
  const stack: Array<Node | null> = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const name = key && 'value' in key ? String((key as { value: unknown }).value) : String(key);
        if (seen.has(name)) {
          throw new InputError(`${file}: key "${name}" is given twice in one map (${where(text, key?.range?.[0] ?? 0)}); keep one`);
        }
        seen.add(name);
        stack.push(pair.value as Node | null);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item as Node | null);
    }
  }
}

/**
 * YAML as Helm and kubectl read it (sigs.k8s.io/yaml, a go-yaml v2 fork): YAML 1.1 scalars (`yes`, `on`, `y` are
 * booleans, `0755` is octal), except that timestamps stay the text they are (`restartRuntimeAt: 2026-04-09T10:00:00Z`
 * is that string), `1:20` is text, not base 60, and `0o17` is an octal integer. test/e2e/yaml-reading.test.ts holds
 * this to the API server's reading, through kubectl, of the same scalars.
 */
const octal0o: ScalarTag = {
  identify: (value: unknown) => typeof value === 'number' && Number.isInteger(value),
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^[-+]?0o[0-7_]+$/,
  resolve: (text: string) => (text.startsWith('-') ? -1 : 1) * Number.parseInt(text.replace(/^[-+]?0o/, '').replace(/_/g, ''), 8),
};
const dropped = (t: Tags[number]) => typeof t === 'object' && (t.tag === 'tag:yaml.org,2002:timestamp' || ('format' in t && t.format === 'TIME'));
export const KUBERNETES_YAML = {
  version: '1.1' as const,
  customTags: (tags: Tags): Tags => [...tags.filter((t) => !dropped(t)), octal0o],
};

/** Parses one YAML document as Helm would read it; refuses several documents and duplicate keys. */
export function parseYamlInput(text: string, file: string): unknown {
  const docs = parseAllDocuments(text, { ...KUBERNETES_YAML, uniqueKeys: false, prettyErrors: false });
  if (!Array.isArray(docs)) return null; // an empty stream
  if (docs.length > 1) {
    throw new InputError(`${file}: holds ${docs.length} YAML documents ("---"); give one document per file`);
  }
  const doc = docs[0];
  if (!doc) return null;
  const error = doc.errors[0];
  if (error) throw new InputError(`${file}: not valid YAML (${error.message.split('\n')[0]})`);
  checkDuplicateKeys(doc.contents as Node | null, text, file);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof RangeError) throw new InputError(`${file}: nests too deep to read; no values file needs that`);
    throw new InputError(`${file}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  return asHelmReadsIt(value, file);
}

/**
 * What Helm's Go reader makes of YAML's extra types: !!binary becomes the
 * decoded text, and .inf/.nan cannot become JSON, so Helm refuses them and so
 * do we (naming the key).
 */
function asHelmReadsIt(value: unknown, file: string, path = ''): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new InputError(`${file}: ${path || '(top level)'}: ${value} is not a number a values file can hold`);
  }
  if (Array.isArray(value)) return value.map((v, i) => asHelmReadsIt(v, file, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      const converted = asHelmReadsIt(v, file, path ? `${path}.${key}` : key);
      if (converted !== v) Object.defineProperty(value, key, { value: converted, enumerable: true, writable: true, configurable: true });
    }
  }
  return value;
}

export function readYamlInput(file: string): unknown {
  return parseYamlInput(readInputText(file), file);
}
