/**
 * The one way aileron-k8s writes a folder (manifests or the chart): it never
 * deletes what it did not write. A folder is ours to replace only when it is
 * missing, empty, or holds our marker file and nothing but the files that
 * marker lists. The new content is written to a temporary sibling and swapped
 * in, so a failure leaves the previous output as it was. Every filesystem
 * failure becomes an OutputError: one line naming the path.
 */
import {
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, parse, resolve, sep } from 'node:path';

export const OUTPUT_MARKER = '.aileron-k8s-output';

export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** The OS's reason without Node's prefix (`ENOTDIR: not a directory, open ...` → `not a directory`). */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = e.message ?? String(err);
  const m = /^[A-Z]+: ([^,]+)/.exec(text);
  return m ? m[1] : text;
}

/** Runs a filesystem step; a failure becomes one line naming the path. */
export function fsStep<T>(what: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OutputError) throw err;
    throw new OutputError(`cannot ${what} ${path}: ${reason(err)}`);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw new OutputError(`cannot use ${path}: a folder on its path is a file`);
    throw new OutputError(`cannot use ${path}: ${reason(err)}`);
  }
}

/**
 * mkdir -p, one level at a time. Node's recursive mkdir loops forever on some
 * pseudo filesystems (/proc), and its errors name the deepest path only.
 */
function makeParents(dir: string, shown: string): void {
  const missing: string[] = [];
  let cur = dir;
  for (;;) {
    const st = statOrUndefined(cur);
    if (st) {
      if (!st.isDirectory()) throw new OutputError(`cannot write ${shown}: ${cur} is not a folder`);
      break;
    }
    missing.unshift(cur);
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const d of missing) fsStep('create', d, () => mkdirSync(d));
}

/** Folders that are never an output: the root, home, the working folder and anything holding it. */
function protectedReason(target: string): string | undefined {
  if (target === parse(target).root) return 'is the filesystem root';
  if (target === resolve(homedir())) return 'is your home folder';
  const cwd = resolve(process.cwd());
  if (target === cwd) return 'is the current folder';
  if (cwd.startsWith(target + sep)) return 'holds the current folder';
  return undefined;
}

/** The files an earlier run recorded in its marker, or undefined when there is no marker. */
function markedFiles(dir: string): Set<string> | undefined {
  const marker = join(dir, OUTPUT_MARKER);
  const st = statOrUndefined(marker);
  if (!st) return undefined;
  if (!st.isFile()) throw new OutputError(`cannot use ${dir}: ${marker} is not a regular file`);
  const text = fsStep('read', marker, () => readFileSync(marker, 'utf8'));
  return new Set(text.split('\n').filter((l) => l && !l.startsWith('#')));
}

/** Top-level entries of a file list (`templates/a.yaml` → `templates`). */
const topLevel = (files: Iterable<string>) => new Set([...files].map((f) => f.split('/')[0]));

/**
 * Why `target` may not be replaced, or undefined when it may. Only entries an
 * earlier run listed in the marker may be there besides the marker itself.
 */
function ownershipProblem(target: string, shown: string): string | undefined {
  const st = statOrUndefined(target);
  if (!st) return undefined;
  if (st.isSymbolicLink()) return `${shown} is a symbolic link; give the folder it points to`;
  if (!st.isDirectory()) return `${shown} is ${st.isFile() ? 'a file' : 'not a folder'}; give a folder to write into (nothing was written)`;
  const entries = fsStep('read', shown, () => readdirSync(target));
  if (entries.length === 0) return undefined;
  const listed = markedFiles(target);
  if (!listed) {
    return `${shown} is not empty and was not written by aileron-k8s (no ${OUTPUT_MARKER} in it); give a new or empty folder (nothing was written)`;
  }
  const allowed = topLevel(listed);
  const foreign = entries.filter((e) => e !== OUTPUT_MARKER && !allowed.has(e));
  if (foreign.length === 0) return undefined;
  const shownList = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, and ${foreign.length - 5} more` : '');
  return `${shown} holds files aileron-k8s did not write (${shownList}); move them out or give another folder (nothing was written)`;
}

/** Checks up front that `outDir` may be written, so callers can refuse before rendering. */
export function checkOutputDir(outDir: string): string {
  if (outDir.trim() === '') throw new OutputError('-o: give the folder to write into');
  const target = resolve(outDir);
  const why = protectedReason(target);
  if (why) throw new OutputError(`-o ${outDir}: ${target} ${why}; aileron-k8s replaces its output folder whole, so give a folder of its own`);
  const problem = ownershipProblem(target, outDir);
  if (problem) throw new OutputError(problem);
  return target;
}

function writeFile(path: string, content: string): void {
  // O_EXCL|O_NOFOLLOW: the staging folder is new, so anything already there is not ours.
  const fd = fsStep('create', path, () => openSync(path, 'wx', 0o644));
  try {
    fsStep('write', path, () => writeSync(fd, content));
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `outDir` with exactly `files` (relative path → content) plus the
 * marker. Returns the sorted file names.
 */
export function replaceOutputDir(outDir: string, files: Record<string, string>, writer: string): string[] {
  const target = checkOutputDir(outDir);
  const parent = dirname(target);
  makeParents(parent, outDir);
  const staging = fsStep('create a folder in', parent, () => mkdtempSync(join(parent, `.${basename(target)}.tmp-`)));
  const names = Object.keys(files).sort();
  try {
    for (const name of names) {
      const path = join(staging, name);
      if (dirname(name) !== '.') makeParents(dirname(path), outDir);
      writeFile(path, files[name]);
    }
    writeFile(
      join(staging, OUTPUT_MARKER),
      `# Written by ${writer}. It replaces this folder whole on its next run, and refuses to\n` +
        `# if the folder holds anything not listed here.\n${names.join('\n')}\n`,
    );
    // Swap: the old output moves aside, the new one in, then the old one goes.
    const old = statOrUndefined(target) ? `${staging}.old` : undefined;
    if (old) fsStep('move aside', outDir, () => renameSync(target, old));
    try {
      fsStep('write', outDir, () => renameSync(staging, target));
    } catch (err) {
      if (old) renameSync(old, target);
      throw err;
    }
    if (old) rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return names;
}
