/**
 * CPU time of processes, from /proc (Linux): how the benchmark shows where a
 * run's time went on a machine whose cores the API server, etcd and the
 * operator share.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks a second in /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** User plus system CPU seconds a process has used; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: state is the 3rd field, utime the 14th and stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** The processes a process started, and theirs. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

/** CPU seconds used so far by these processes and everything they started (the control plane's shell guards). */
export function treeCpuSeconds(pids: number[]): number {
  return pids.flatMap((p) => [p, ...descendants(p)]).reduce((sum, p) => sum + cpuSeconds(p), 0);
}
