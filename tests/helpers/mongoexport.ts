// Writes documents exactly as mongoexport does: MongoDB Extended JSON v2, relaxed (its default) or
// canonical (--jsonFormat=canonical), one document per line or one JSON array (--jsonArray), and
// indented with tabs under --pretty. Documents are built from plain values, with Date for BSON
// dates, Double for doubles (other numbers are int32 or int64, as the shell stores them) and
// ObjectId for ObjectIds.

export class Double {
  constructor(readonly value: number) {}
}

export class ObjectId {
  constructor(readonly hex: string) {}
}

export type Bson =
  | string
  | number
  | boolean
  | null
  | Date
  | Double
  | ObjectId
  | Bson[]
  | { [field: string]: Bson };
export type BsonDocument = { [field: string]: Bson };

export type JsonFormat = 'relaxed' | 'canonical';

export interface ExportShape {
  jsonFormat: JsonFormat;
  jsonArray?: boolean;
  pretty?: boolean;
}

// The Go driver writes relaxed dates as RFC 3339 with the milliseconds' trailing zeros dropped.
function relaxedDate(date: Date): string {
  const iso = date.toISOString();
  const millis = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${millis ? `.${millis}` : ''}Z`;
}

function toExtendedJson(value: Bson, format: JsonFormat): unknown {
  if (value instanceof Date) {
    const year = value.getUTCFullYear();
    return format === 'relaxed' && year >= 1970 && year <= 9999
      ? { $date: relaxedDate(value) }
      : { $date: { $numberLong: String(value.getTime()) } };
  }
  if (value instanceof ObjectId) return { $oid: value.hex };
  if (value instanceof Double) {
    return format === 'canonical' ? { $numberDouble: String(value.value) } : value.value;
  }
  if (typeof value === 'number') {
    if (format === 'relaxed') return value;
    return Number.isInteger(value) && Math.abs(value) < 2 ** 31
      ? { $numberInt: String(value) }
      : { $numberLong: String(value) };
  }
  if (Array.isArray(value)) return value.map((item) => toExtendedJson(item, format));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, toExtendedJson(item, format)]),
    );
  }
  return value;
}

export function extendedJson(document: BsonDocument, format: JsonFormat): string {
  return JSON.stringify(toExtendedJson(document, format));
}

/** The file `mongoexport --out=NAME.json` writes for these documents. */
export function mongoexportText(documents: BsonDocument[], shape: ExportShape): string {
  const texts = documents.map((document) => {
    const text = extendedJson(document, shape.jsonFormat);
    return shape.pretty ? JSON.stringify(JSON.parse(text), null, '\t') : text;
  });
  if (shape.jsonArray) {
    return `[${texts.join(shape.pretty ? ',\n' : ',')}]\n${shape.pretty ? '\n' : ''}`;
  }
  if (shape.pretty) return `${texts.join('\n')}\n`;
  return texts.map((text) => `${text}\n`).join('');
}
