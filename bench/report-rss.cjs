// Preloaded into a measured process: prints its peak RSS (KiB) on exit, to fd 3.
const { writeSync } = require('node:fs');
process.on('exit', () => {
  try {
    writeSync(3, `${process.resourceUsage().maxRSS}\n`);
  } catch {
    // not run by the benchmark
  }
});
