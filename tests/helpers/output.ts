// Captures what the process writes to stdout and stderr: Powertools writes info logs and EMF
// metrics to stdout, warnings and errors to stderr (in Lambda both end up in CloudWatch Logs).
import { afterAll } from 'vitest';

export interface CapturedOutput {
  lines(): string[];
  /** Parsed JSON lines, skipping anything that is not JSON. */
  json(): Record<string, unknown>[];
  clear(): void;
}

export function captureOutput(): CapturedOutput {
  let captured = '';
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    // Swallowed rather than echoed: the tests assert on it, and the run's output stays readable.
    stream.write = ((chunk: string | Uint8Array) => {
      captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof stream.write;
  }
  afterAll(() => {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as typeof stream.write;
    });
  });
  const lines = () => captured.split('\n').filter(Boolean);
  return {
    lines,
    json: () =>
      lines().flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    clear: () => {
      captured = '';
    },
  };
}

/** The values of one metric across the EMF documents captured. */
export function metricValues(output: CapturedOutput, name: string): number[] {
  return output
    .json()
    .filter((line) => '_aws' in line && name in line)
    .map((line) => Number(line[name]));
}
