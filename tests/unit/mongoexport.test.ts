// Reading mongoexport's files: every layout and both Extended JSON modes give the same documents,
// however the bytes are cut into chunks, and a broken line or document costs only itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DocumentSplitter,
  type ExportedDocument,
  exportedDocuments,
} from '../../lib/rocketchat/mongoexport.js';
import {
  type BsonDocument,
  Double,
  type ExportShape,
  extendedJson,
  mongoexportText,
} from '../helpers/mongoexport.js';

const documents: BsonDocument[] = [
  {
    _id: 'Xk9pQ2',
    rid: 'GENERAL',
    msg: 'quotes " and \\ backslashes, braces {} [] and a newline\nin the text',
    ts: new Date('2024-05-01T12:34:56.789Z'),
    u: { _id: 'u1', username: 'aline' },
    reactions: { ':+1:': { usernames: ['devi'] } },
    tcount: 3,
    score: new Double(1.5),
    _updatedAt: new Date('2024-05-01T12:35:00.000Z'),
  },
  { _id: 'Yh2', rid: 'GENERAL', msg: 'héllo 🚀', ts: new Date('1969-12-31T23:59:59.000Z') },
  { _id: 'Zq3', rid: 'dev', msg: '', attachments: [], mentions: [{}], ts: new Date(0) },
];

const shapes: ExportShape[] = [
  { jsonFormat: 'relaxed' },
  { jsonFormat: 'canonical' },
  { jsonFormat: 'relaxed', jsonArray: true },
  { jsonFormat: 'canonical', jsonArray: true },
  { jsonFormat: 'relaxed', jsonArray: true, pretty: true },
  { jsonFormat: 'canonical', pretty: true },
];

function split(text: string | Buffer, cuts: number[] = [], maxBytes?: number): ExportedDocument[] {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const splitter = new DocumentSplitter(maxBytes);
  const out: ExportedDocument[] = [];
  let from = 0;
  for (const cut of [...cuts.filter((at) => at > 0 && at < bytes.length)].sort((a, b) => a - b)) {
    out.push(...splitter.push(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(...splitter.push(bytes.subarray(from)));
  out.push(...splitter.end());
  return out;
}

const parsedAs = (shape: ExportShape) =>
  documents.map((document) => JSON.parse(extendedJson(document, shape.jsonFormat)));

describe("mongoexport's layouts", () => {
  it.each(shapes)('reads every document of %j', (shape) => {
    const result = split(mongoexportText(documents, shape));
    expect(result.map((entry) => entry.problem)).toEqual([undefined, undefined, undefined]);
    expect(result.map((entry) => entry.document)).toEqual(parsedAs(shape));
    expect(result.map((entry) => entry.ordinal)).toEqual([1, 2, 3]);
  });

  it('tells the layouts apart from their first bytes', () => {
    const layout = (shape: ExportShape) => {
      const splitter = new DocumentSplitter();
      splitter.push(Buffer.from(mongoexportText(documents, shape)));
      return splitter.layout;
    };
    expect(layout({ jsonFormat: 'relaxed' })).toBe('lines');
    expect(layout({ jsonFormat: 'relaxed', jsonArray: true })).toBe('array');
    expect(layout({ jsonFormat: 'relaxed', jsonArray: true, pretty: true })).toBe('array');
    expect(layout({ jsonFormat: 'relaxed', pretty: true })).toBe('pretty');
  });

  it('gives the same documents however the bytes are cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...shapes),
        fc.array(fc.nat({ max: 2_000 }), { maxLength: 40 }),
        (shape, cuts) => {
          const text = mongoexportText(documents, shape);
          expect(split(text, cuts)).toEqual(split(text));
        },
      ),
    );
  });

  it('numbers lines from 1 and skips blank lines, CRLF endings and a byte order mark', () => {
    const lines = mongoexportText(documents, { jsonFormat: 'relaxed' }).split('\n');
    const text = `\ufeff${lines[0]}\r\n\r\n${lines[1]}\r\n${lines[2]}`;
    const result = split(text);
    expect(result.map((entry) => [entry.line, entry.problem])).toEqual([
      [1, undefined],
      [3, undefined],
      [4, undefined],
    ]);
    expect(result.map((entry) => entry.document)).toEqual(parsedAs({ jsonFormat: 'relaxed' }));
  });

  it('streams from an async source', async () => {
    async function* chunks() {
      const bytes = Buffer.from(mongoexportText(documents, { jsonFormat: 'canonical' }));
      for (let at = 0; at < bytes.length; at += 7) yield bytes.subarray(at, at + 7);
    }
    const read: ExportedDocument[] = [];
    for await (const entry of exportedDocuments(chunks())) read.push(entry);
    expect(read.map((entry) => entry.document)).toEqual(parsedAs({ jsonFormat: 'canonical' }));
  });
});

describe('broken input costs only itself', () => {
  it('reports a broken line by its number and reads the lines around it', () => {
    const [first, second, third] = mongoexportText(documents, { jsonFormat: 'relaxed' }).split(
      '\n',
    );
    const cut = (second as string).slice(0, 40);
    const text = [first, cut, '[1,2]', '42', third, '{"_id":"x","rid":}', '{"_id":"y"'].join('\n');
    expect(split(text).map(({ line, problem }) => ({ line, problem }))).toEqual([
      { line: 1, problem: undefined },
      { line: 2, problem: expect.stringMatching(/^not valid JSON/) },
      { line: 3, problem: 'not a document (a JSON object)' },
      { line: 4, problem: 'not a document (a JSON object)' },
      { line: 5, problem: undefined },
      { line: 6, problem: 'not valid JSON' },
      { line: 7, problem: 'not valid JSON at column 11' },
    ]);
  });

  it('never repeats the text of a broken line in its reason', () => {
    const secret = 'hvX5Jm3aEa9nQq2c7pL0wTzR8sYbKdF1gUiOeNoMaPs';
    const [problem] = split(`{"services":{"resume":{"loginTokens":[{"token":"${secret}"`);
    expect(problem?.problem).toBeDefined();
    expect(problem?.problem).not.toContain(secret);
    expect(problem?.problem).not.toContain('token');
  });

  it('rejects one malformed document of an array and reads the others, on one line', () => {
    const array = mongoexportText(documents, { jsonFormat: 'relaxed', jsonArray: true });
    const broken = array.replace('"rid":"dev"', '"rid":dev');
    const result = split(broken);
    expect(result.map(({ line, ordinal, problem }) => [line, ordinal, problem])).toEqual([
      [1, 1, undefined],
      [1, 2, undefined],
      [1, 3, 'not valid JSON'],
    ]);
  });

  it('says where an array is cut short', () => {
    const array = mongoexportText(documents, {
      jsonFormat: 'relaxed',
      jsonArray: true,
      pretty: true,
    });
    const cutInDocument = array.slice(0, array.lastIndexOf('"msg"'));
    const lastLine = cutInDocument.slice(0, cutInDocument.lastIndexOf('{')).split('\n').length;
    expect(split(cutInDocument).at(-1)).toEqual({
      line: lastLine,
      ordinal: 3,
      problem: 'a document cut short: the file ends inside it',
    });
    const cutBetween = array.slice(0, array.lastIndexOf(',\n{') + 1);
    expect(split(cutBetween).at(-1)?.problem).toBe(
      'the JSON array is not closed: the file may be cut short',
    );
  });

  it('refuses a document larger than the limit without keeping it, and goes on', () => {
    const big = JSON.stringify({ _id: 'big', msg: 'x'.repeat(500) });
    const text = `{"_id":"a"}\n${big}\n{"_id":"b"}\n`;
    expect(split(text, [300, 600], 200).map((entry) => entry.problem)).toEqual([
      undefined,
      'a document larger than 200 bytes',
      undefined,
    ]);
    const array = `[{"_id":"a"},${big},{"_id":"b"}]`;
    expect(
      split(array, [100, 400], 200).map((entry) => entry.document?._id ?? entry.problem),
    ).toEqual(['a', 'a document larger than 200 bytes', 'b']);
  });

  it('gives an empty file no documents', () => {
    expect(split('')).toEqual([]);
    expect(split('\n\n')).toEqual([]);
    expect(split('[]\n')).toEqual([]);
  });
});
