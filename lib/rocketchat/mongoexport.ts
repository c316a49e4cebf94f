// Splits what mongoexport writes into documents, as the bytes arrive: one document per line (its
// default), one JSON array (--jsonArray, all on a single line unless --pretty), or indented
// documents one after another (--pretty). Only the document being read is held in memory, so a
// file of any size streams through in bounded memory.
//
// A broken line costs only that line. In an array, where documents are not lines, a document that
// does not parse costs only itself, as long as its brackets balance.

export interface ExportedDocument {
  /** The line of the file the document starts on, from 1. */
  line: number;
  /** The document's position in the file, from 1. */
  ordinal: number;
  document?: Record<string, unknown>;
  /** Why there is no document here. Says where and what kind of problem, never what the text is. */
  problem?: string;
}

export type ExportLayout = 'lines' | 'array' | 'pretty';

/** Larger than any BSON document (16 MB) can be in Extended JSON. */
export const maxDocumentBytes = 64 * 1024 * 1024;

const newline = 0x0a;
const carriageReturn = 0x0d;
const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const isBlank = (byte: number) =>
  byte === 0x20 || byte === 0x09 || byte === newline || byte === carriageReturn;

export class DocumentSplitter {
  layout: ExportLayout | undefined;
  private head: Buffer = Buffer.alloc(0);
  private out: ExportedDocument[] = [];
  private line = 1;
  private ordinal = 0;
  // The document being read: its bytes so far (unless it is too large to keep) and where it began.
  private pieces: Buffer[] = [];
  private size = 0;
  private oversized = false;
  private startLine = 1;
  // Where the reader is in the structure of an array or of indented documents.
  private inDocument = false;
  private notAnObject = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private arrayOpen = false;

  constructor(private readonly maxBytes = maxDocumentBytes) {}

  /** The documents completed by this chunk. */
  push(chunk: Buffer): ExportedDocument[] {
    if (this.layout === undefined) {
      this.head = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
      this.layout = layoutOf(this.head);
      if (this.layout === undefined) return [];
      chunk = withoutByteOrderMark(this.head);
      this.head = Buffer.alloc(0);
    }
    if (this.layout === 'lines') this.pushLines(chunk);
    else this.pushStructure(chunk);
    return this.take();
  }

  /** What remains once the input ends. */
  end(): ExportedDocument[] {
    if (this.layout === undefined && this.head.length > 0) {
      this.layout = 'lines';
      this.pushLines(withoutByteOrderMark(this.head));
    }
    if (this.layout === 'lines') {
      if (this.size > 0 || this.oversized) this.finishLine();
    } else if (this.inDocument) {
      this.problem(
        this.startLine,
        this.notAnObject && this.depth === 0
          ? 'not a document (a JSON object)'
          : 'a document cut short: the file ends inside it',
      );
    } else if (this.arrayOpen) {
      this.problem(this.line, 'the JSON array is not closed: the file may be cut short');
    }
    return this.take();
  }

  private take(): ExportedDocument[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private pushLines(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const end = chunk.indexOf(newline, at);
      if (end < 0) {
        this.keep(chunk, at, chunk.length);
        return;
      }
      if (this.size === 0 && !this.oversized) {
        // The usual case, a whole line inside the chunk: parsed without copying it first.
        this.parse(chunk.toString('utf8', at, end), this.line);
      } else {
        this.keep(chunk, at, end);
        this.finishLine();
      }
      this.line++;
      at = end + 1;
    }
  }

  private finishLine(): void {
    if (this.oversized) this.tooLarge(this.line);
    else this.parse(Buffer.concat(this.pieces, this.size).toString('utf8'), this.line);
    this.reset();
  }

  private pushStructure(chunk: Buffer): void {
    let start = this.inDocument ? 0 : -1;
    for (let at = 0; at < chunk.length; at++) {
      const byte = chunk[at] as number;
      if (byte === newline) this.line++;
      if (!this.inDocument) {
        if (isBlank(byte) || byte === comma) continue;
        if (this.layout === 'array' && byte === openBracket && !this.arrayOpen) {
          this.arrayOpen = true;
          continue;
        }
        if (byte === closeBracket && this.arrayOpen) {
          this.arrayOpen = false;
          continue;
        }
        this.inDocument = true;
        this.startLine = this.line;
        start = at;
        this.notAnObject = byte !== openBrace;
        this.depth = byte === openBrace || byte === openBracket ? 1 : 0;
        this.inString = byte === quote;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === backslash) this.escaped = true;
        else if (byte === quote) this.inString = false;
        continue;
      }
      if (this.depth === 0) {
        // A number, string or literal where a document should be: it ends where a value would.
        if (isBlank(byte) || byte === comma || byte === closeBracket) {
          this.problem(this.startLine, 'not a document (a JSON object)');
          this.reset();
          start = -1;
          if (byte === closeBracket && this.arrayOpen) this.arrayOpen = false;
        }
        continue;
      }
      if (byte === quote) this.inString = true;
      else if (byte === openBrace || byte === openBracket) this.depth++;
      else if (byte === closeBrace || byte === closeBracket) {
        this.depth--;
        if (this.depth === 0) {
          this.finishDocument(chunk, start, at + 1);
          start = -1;
        }
      }
    }
    if (start >= 0) this.keep(chunk, start, chunk.length);
  }

  private finishDocument(chunk: Buffer, start: number, end: number): void {
    if (this.notAnObject) this.problem(this.startLine, 'not a document (a JSON object)');
    else if (this.size === 0 && !this.oversized) {
      this.parse(chunk.toString('utf8', start, end), this.startLine);
    } else {
      this.keep(chunk, start, end);
      if (this.oversized) this.tooLarge(this.startLine);
      else this.parse(Buffer.concat(this.pieces, this.size).toString('utf8'), this.startLine);
    }
    this.reset();
  }

  private keep(chunk: Buffer, start: number, end: number): void {
    if (this.oversized || end <= start) return;
    if (this.size + (end - start) > this.maxBytes) {
      this.oversized = true;
      this.pieces = [];
      this.size = 0;
      return;
    }
    // A copy: the chunk's memory is otherwise kept alive by the slice.
    this.pieces.push(Buffer.from(chunk.subarray(start, end)));
    this.size += end - start;
  }

  private parse(text: string, line: number): void {
    if (text.trim() === '') return;
    const ordinal = ++this.ordinal;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      // V8's message can quote the text; only the position is kept.
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      const where = position === undefined ? '' : ` at column ${Number(position) + 1}`;
      this.out.push({ line, ordinal, problem: `not valid JSON${where}` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.out.push({ line, ordinal, problem: 'not a document (a JSON object)' });
      return;
    }
    this.out.push({ line, ordinal, document: value as Record<string, unknown> });
  }

  private tooLarge(line: number): void {
    this.problem(line, `a document larger than ${formatBytes(this.maxBytes)}`);
  }

  private problem(line: number, problem: string): void {
    this.out.push({ line, ordinal: ++this.ordinal, problem });
  }

  private reset(): void {
    this.pieces = [];
    this.size = 0;
    this.oversized = false;
    this.inDocument = false;
    this.notAnObject = false;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }
}

/**
 * The layout, from the first bytes: `[` starts an array; `{` then a line break starts indented
 * documents (--pretty); anything else is one document per line. Undefined while undecided.
 */
function layoutOf(head: Buffer): ExportLayout | undefined {
  let at = hasByteOrderMark(head) ? 3 : 0;
  while (at < head.length && isBlank(head[at] as number)) at++;
  if (at >= head.length) return head.length > 1024 * 1024 ? 'lines' : undefined;
  if (head[at] === openBracket) return 'array';
  if (head[at] !== openBrace) return 'lines';
  if (at + 1 >= head.length) return undefined;
  const next = head[at + 1];
  return next === newline || next === carriageReturn ? 'pretty' : 'lines';
}

const formatBytes = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes} bytes`;

const hasByteOrderMark = (head: Buffer) => head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
const withoutByteOrderMark = (head: Buffer) => (hasByteOrderMark(head) ? head.subarray(3) : head);

/** Every document of a stream of bytes, in order. */
export async function* exportedDocuments(
  chunks: AsyncIterable<Buffer>,
): AsyncGenerator<ExportedDocument> {
  const splitter = new DocumentSplitter();
  for await (const chunk of chunks) yield* splitter.push(chunk);
  yield* splitter.end();
}
