// How the ledger reads a cancelled transaction: which item refused it and why decides between
// reading the mark again, reading the quarter-hours again, sending the same again, and failing.
// Against a client that answers as DynamoDB does, with each item's cancellation reason in order
// (the mark first): cancellations DynamoDB Local cannot be made to give.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Chunk } from '../../lib/counting/plan.js';
import { DynamoDbCounterLedger } from '../../lib/store/counter-ledger.js';

const shard = { streamArn: 'arn:stream', shardId: 'shardId-1' };
const chunk: Chunk = {
  through: '200',
  throughEventId: 'e200',
  changes: [],
  counters: [
    { unit: 'day', period: '2023-05-30', delta: 1 },
    { unit: 'quarter-hour', period: '2023-05-30T13:45', delta: 1 },
  ],
};

/** Answers BatchGetItem with nothing stored, and each TransactWriteItems with the next answer. */
function clientAnswering(transactions: (string[] | 'ok')[]) {
  const sent: string[] = [];
  const client = {
    async send(command: { constructor: { name: string } }) {
      const name = command.constructor.name;
      sent.push(name);
      if (name === 'BatchGetCommand') return { Responses: {} };
      const answer = transactions.shift();
      if (answer === 'ok') return {};
      if (!answer) throw new Error('no more answers');
      throw new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: answer.map((Code) => ({ Code })),
      });
    },
  };
  return { client: client as unknown as DynamoDBDocumentClient, sent };
}

const apply = (transactions: (string[] | 'ok')[]) => {
  const { client, sent } = clientAnswering(transactions);
  const ledger = new DynamoDbCounterLedger(client, 'counters');
  return { outcome: ledger.applyChunk(shard, '100', chunk), sent };
};

describe('DynamoDbCounterLedger.applyChunk', () => {
  it('is applied when the transaction is', async () => {
    await expect(apply(['ok']).outcome).resolves.toBe('applied');
  });

  it('says the mark moved when the mark refused the transaction', async () => {
    const { outcome } = apply([['ConditionalCheckFailed', 'None', 'None']]);
    await expect(outcome).resolves.toBe('mark-moved');
  });

  it('reads the quarter-hours again and sends anew when another shard wrote them', async () => {
    const { outcome, sent } = apply([['None', 'None', 'ConditionalCheckFailed'], 'ok']);
    await expect(outcome).resolves.toBe('applied');
    expect(sent).toEqual([
      'BatchGetCommand',
      'TransactWriteCommand',
      'BatchGetCommand',
      'TransactWriteCommand',
    ]);
  });

  it.each([
    ['the mark', ['TransactionConflict', 'None', 'None']],
    ['the mark', ['ThrottlingError', 'None', 'None']],
    ['a counter', ['None', 'TransactionConflict', 'None']],
    ['a counter', ['None', 'None', 'ProvisionedThroughputExceeded']],
  ])('reports a conflict to retry when %s was held or throttled: %j', async (_, reasons) => {
    await expect(apply([reasons]).outcome).resolves.toBe('conflict');
  });

  it('fails on a cancellation it cannot retry', async () => {
    const { outcome } = apply([['ValidationError', 'None', 'None']]);
    await expect(outcome).rejects.toBeInstanceOf(TransactionCanceledException);
  });
});
