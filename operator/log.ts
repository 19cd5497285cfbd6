/** JSON lines on stdout, one object per event, with workspace and namespace fields where they apply. */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type Level = keyof typeof LEVELS;

export class Logger {
  constructor(
    private readonly level: Level = 'info',
    private readonly fields: Record<string, unknown> = {},
  ) {}

  with(fields: Record<string, unknown>): Logger {
    return new Logger(this.level, { ...this.fields, ...fields });
  }

  private write(level: Level, msg: string, extra?: Record<string, unknown>): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...this.fields, ...extra })}\n`);
  }

  debug(msg: string, extra?: Record<string, unknown>) {
    this.write('debug', msg, extra);
  }
  info(msg: string, extra?: Record<string, unknown>) {
    this.write('info', msg, extra);
  }
  warn(msg: string, extra?: Record<string, unknown>) {
    this.write('warn', msg, extra);
  }
  error(msg: string, extra?: Record<string, unknown>) {
    this.write('error', msg, extra);
  }
}
