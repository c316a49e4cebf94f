// Progress of long work: a bar redrawn in place on a terminal, plain lines now and then otherwise.
export interface Progress {
  /** `fraction` in [0, 1] when the total is known. */
  update(text: string, fraction?: number): void;
  done(text: string): void;
}

/** Progress that can also print a line of its own, e.g. a problem found on the way. */
export interface NotingProgress extends Progress {
  /** Prints `text` on a line of its own; on a terminal, the bar is drawn again below it. */
  note(text: string): void;
}

export function progressOn(stream: NodeJS.WriteStream = process.stderr): NotingProgress {
  const tty = Boolean(stream.isTTY);
  const interval = tty ? 100 : 2_000;
  let last = 0;
  return {
    note(text) {
      stream.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
      if (tty) last = 0;
    },
    update(text, fraction) {
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      if (!tty) {
        stream.write(`${text}\n`);
        return;
      }
      const width = 24;
      const filled = fraction === undefined ? 0 : Math.round(Math.min(1, fraction) * width);
      const bar =
        fraction === undefined
          ? ''
          : `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(Math.min(1, fraction) * 100)}% `;
      stream.write(`\r\x1b[2K${bar}${text}`);
    },
    done(text) {
      stream.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
      if (tty) last = 0;
    },
  };
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const seconds = Math.round(ms / 1000);
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
