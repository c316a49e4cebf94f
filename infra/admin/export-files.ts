// Reads one mongoexport file for an import: its documents one at a time, a progress bar by the
// bytes read, and each document that cannot be used reported as `file:line: reason`.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { DocumentSplitter, type ExportedDocument } from '../../lib/rocketchat/mongoexport.js';
import { formatDuration, type NotingProgress } from './progress.js';

/** Handles one document; calls `reject` with a reason when (part of) it cannot be used. */
export type DocumentHandler = (
  document: Record<string, unknown>,
  reject: (reason: string) => void,
) => Promise<void> | void;

export interface FileOutcome {
  documents: number;
  /** Documents reported as rejected, wholly or in part. */
  rejected: number;
}

export async function readExportFile(
  path: string,
  handle: DocumentHandler,
  progress: NotingProgress,
): Promise<FileOutcome> {
  const { size } = await stat(path);
  const splitter = new DocumentSplitter();
  const started = Date.now();
  const outcome: FileOutcome = { documents: 0, rejected: 0 };
  let bytes = 0;

  // In an array all documents may be on one line; the position in the file then says which.
  const where = (entry: ExportedDocument) =>
    splitter.layout === 'lines'
      ? `${path}:${entry.line}`
      : `${path}:${entry.line}: document ${entry.ordinal}`;
  const take = async (entries: ExportedDocument[]) => {
    for (const entry of entries) {
      outcome.documents++;
      let rejected = false;
      const reject = (reason: string) => {
        if (!rejected) outcome.rejected++;
        rejected = true;
        progress.note(`${where(entry)}: ${reason}`);
      };
      if (entry.document) await handle(entry.document, reject);
      else reject(entry.problem ?? 'not a document');
    }
  };

  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    bytes += (chunk as Buffer).length;
    await take(splitter.push(chunk as Buffer));
    const elapsed = Math.max(Date.now() - started, 1);
    const rate = Math.round((outcome.documents / elapsed) * 1000);
    const eta = formatDuration(((size - bytes) / bytes) * elapsed);
    progress.update(
      `${path}: ${outcome.documents.toLocaleString('en')} documents, ${rate.toLocaleString('en')}/s, ETA ${eta}`,
      size > 0 ? bytes / size : undefined,
    );
  }
  await take(splitter.end());
  return outcome;
}
