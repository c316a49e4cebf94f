// import rocketchat: messages per second from a mongoexport file into the Messages table, against
// raw BatchWriteItem of the very same items (the most a bulk load can do, with nothing to read,
// parse or map) on the same DynamoDB Local; and the import's peak memory for a 1,000,000-line
// file, against a 1,000-line one, each in a process of its own.
//
// The tables here have the Messages table's key but no stream: DynamoDB Local keeps every stream
// record it writes (for 24 hours, whatever the table) and each write gets slower the more it
// keeps, so with a stream whichever side runs later would lose. DynamoDB itself writes at the
// same speed with or without a stream.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { adminContext } from '../../infra/admin/context.js';
import { importRocketChat } from '../../infra/admin/rocketchat-import.js';
import { messageFromExport } from '../../lib/rocketchat/exported-messages.js';
import type { MessageItem } from '../../lib/rocketchat/message-item.js';
import { putAll } from '../../lib/store/put-all.js';
import { type BsonDocument, extendedJson, mongoexportText } from '../helpers/mongoexport.js';
import { type BenchContext, type Benchmark, type BenchRow, compared } from './harness.js';
import { timed } from './stats.js';

const throughputMessages = 50_000;
const memoryLines = [1_000, 1_000_000];
const root = fileURLToPath(new URL('../../', import.meta.url));

const rooms: (BsonDocument & { _id: string; t: string })[] = [
  { _id: 'GENERAL', t: 'c', name: 'general' },
  { _id: 'release-planning', t: 'p', name: 'release-planning' },
  { _id: 'u1u2', t: 'd', usernames: ['aline', 'devi'] },
  { _id: 'livechat-1', t: 'l', fname: 'Visitor' },
];
const senders = [
  { _id: 'u1', username: 'aline', name: 'Aline Souza' },
  { _id: 'u2', username: 'devi', name: 'Devi Raman' },
];

/** One line of rocketchat_message.json, as Rocket.Chat writes a message (about 500 bytes). */
function messageLine(index: number): string {
  const ts = new Date(Date.UTC(2023, 0, 1) + index * 7_000);
  const text = `message ${index} about the release, with a link https://example.com/${index}`;
  return extendedJson(
    {
      _id: `bench-${index}`,
      rid: rooms[index % rooms.length]?._id ?? 'GENERAL',
      msg: text,
      ts,
      u: senders[index % 2] as { _id: string },
      _updatedAt: ts,
      urls: [{ url: `https://example.com/${index}` }],
      mentions: [],
      channels: [],
      md: [{ type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: text }] }],
      ...(index % 10 === 3 ? { tmid: `bench-${index - 3}` } : {}),
      ...(index % 50 === 7 ? { t: 'uj' } : {}),
    },
    'relaxed',
  );
}

/** An export directory with the rooms and `lines` messages, written without holding them. */
async function writeExport(dir: string, lines: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'rocketchat_room.json'),
    mongoexportText(rooms, { jsonFormat: 'relaxed' }),
  );
  const out = createWriteStream(join(dir, 'rocketchat_message.json'));
  for (let start = 0; start < lines; start += 1_000) {
    const block: string[] = [];
    for (let index = start; index < Math.min(start + 1_000, lines); index++) {
      block.push(messageLine(index));
    }
    if (!out.write(`${block.join('\n')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const silent = { update: () => {}, done: () => {}, note: () => {} };

async function withMessagesTable<T>(
  context: BenchContext,
  name: string,
  work: (table: string) => Promise<T>,
): Promise<T> {
  const TableName = `engagement-dashboard-bench-${name}`;
  await context.client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: '_id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: '_id', KeyType: 'HASH' }],
    }),
  );
  try {
    return await work(TableName);
  } finally {
    await context.client.send(new DeleteTableCommand({ TableName }));
  }
}

/** Messages per second of the import, in this process, into a fresh table. */
async function importRate(context: BenchContext, dir: string, round: number): Promise<number> {
  return withMessagesTable(context, `import-${round}`, async (table) => {
    const saved = process.env.MESSAGES_TABLE;
    process.env.MESSAGES_TABLE = table;
    const admin = adminContext(false);
    try {
      const [outcome, ms] = await timed(() => importRocketChat(admin, { dir }, silent));
      if (outcome.exitCode !== 0) throw new Error(outcome.output);
      return (throughputMessages / ms) * 1000;
    } finally {
      admin.close();
      process.env.MESSAGES_TABLE = saved;
    }
  });
}

/** Items per second of BatchWriteItem alone, 16 requests at once like the import, into a fresh table. */
async function rawRate(
  context: BenchContext,
  items: MessageItem[],
  round: number,
): Promise<number> {
  return withMessagesTable(context, `raw-${round}`, async (table) => {
    const client = DynamoDBDocumentClient.from(context.client);
    const [, ms] = await timed(() => putAll(client, table, items, 16));
    return (items.length / ms) * 1000;
  });
}

/** The peak resident memory, in MiB, of `import rocketchat` run as the command line runs it. */
async function peakMemory(context: BenchContext, dir: string, lines: number): Promise<number> {
  return withMessagesTable(context, `memory-${lines}`, async (table) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'tests/bench/import-peak-memory.ts', dir],
      {
        cwd: root,
        env: { ...process.env, MESSAGES_TABLE: table, AWS_ENDPOINT_URL_DYNAMODB: context.endpoint },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      exitCode: number;
      maxRssKiB: number;
    };
    if (result.exitCode !== 0) throw new Error(`the import of ${lines} lines failed:\n${stdout}`);
    return result.maxRssKiB / 1024;
  });
}

export const rocketChatImportBenchmark: Benchmark = {
  name: 'rocketchat-import',
  async run(context): Promise<BenchRow[]> {
    const scratch = await mkdtemp(join(tmpdir(), 'rocketchat-import-bench-'));
    try {
      const dir = join(scratch, 'throughput');
      await writeExport(dir, throughputMessages);
      const roomTypes = new Map(rooms.map((room) => [room._id, room.t]));
      const items = Array.from({ length: throughputMessages }, (_, index) => {
        const mapped = messageFromExport(JSON.parse(messageLine(index)), (rid) =>
          roomTypes.get(rid),
        );
        if (!mapped.ok) throw new Error(mapped.reason);
        return mapped.value;
      });
      // Each into a fresh table, taking turns; the best of each, as other work on the machine
      // only ever slows a run down.
      const raw: number[] = [];
      const imported: number[] = [];
      for (let round = 0; round < 3; round++) {
        raw.push(await rawRate(context, items, round));
        imported.push(await importRate(context, dir, round));
      }
      const rows: BenchRow[] = [
        compared(
          {
            benchmark: 'rocketchat-import',
            measure: `import of a ${throughputMessages.toLocaleString('en')}-line rocketchat_message.json (read, parse, map, BatchWriteItem)`,
            value: Math.max(...imported),
            unit: 'messages/s',
            goal: '>= 0.8',
          },
          'raw BatchWriteItem of the same items',
          Math.max(...raw),
        ),
      ];

      const memory: number[] = [];
      for (const lines of memoryLines) {
        const memoryDir = join(scratch, `memory-${lines}`);
        await writeExport(memoryDir, lines);
        memory.push(await peakMemory(context, memoryDir, lines));
        await rm(memoryDir, { recursive: true, force: true });
      }
      rows.push(
        compared(
          {
            benchmark: 'rocketchat-import',
            measure: `peak memory (RSS) importing ${(memoryLines[1] as number).toLocaleString('en')} lines`,
            value: memory[1] as number,
            unit: 'MiB',
          },
          `${(memoryLines[0] as number).toLocaleString('en')} lines`,
          memory[0] as number,
        ),
      );
      return rows;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
};
