// Preloaded into a measured process: prints its peak RSS (KiB) on exit, to fd 3.
// VmHWM, not getrusage's maxRSS: Linux carries the parent's RSS at fork into a child's maxRSS across exec, so an
// operator spawned by a benchmark holding 200 MB read a 195 MB peak at 100 workspaces.
const { readFileSync, writeSync } = require('node:fs');
function peakKb() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}
process.on('exit', () => {
  try {
    writeSync(3, `${peakKb()}\n`);
  } catch {
    // not run by the benchmark
  }
});
