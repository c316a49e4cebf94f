// An HTTP proxy between a handler and DynamoDB Local that injects the faults a real network
// makes: a request that never arrives (the connection is reset before forwarding), and a request
// that is applied but whose response is lost (forwarded, then the connection is dropped). And one
// DynamoDB makes under load, which DynamoDB Local never does: a BatchWriteItem that writes only
// part of its items and hands the rest back as UnprocessedItems, and a BatchGetItem that reads only
// part of its keys and hands the rest back as UnprocessedKeys. Tests that count what a handler
// asks of DynamoDB watch the exchanges that pass through it.
import { createServer, type IncomingMessage, request } from 'node:http';

export type Fault = 'pass' | 'reset' | 'drop' | 'partial';

export interface FaultProxy {
  url: string;
  /** Chooses the fault for each request, given its DynamoDB operation (e.g. TransactWriteItems). */
  plan: (operation: string) => Fault;
  /** Faults injected so far, per operation. */
  injected: Record<string, Record<Fault, number>>;
  /** Called with each request that passes and DynamoDB's answer to it, as the answer is passed on. */
  observe: (exchange: { operation: string; request: Buffer; response: Buffer }) => void;
  close(): Promise<void>;
}

async function bodyOf(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(upstream.hostname)) {
    throw new Error('the fault proxy only forwards to loopback addresses');
  }
  const proxy: FaultProxy = {
    url: '',
    plan: () => 'pass',
    injected: {},
    observe: () => {},
    close: async () => {},
  };
  const server = createServer(async (req, res) => {
    let body = await bodyOf(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    const fault = proxy.plan(operation);
    proxy.injected[operation] ??= { pass: 0, reset: 0, drop: 0, partial: 0 };
    proxy.injected[operation][fault] += 1;
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    const unprocessed = fault === 'partial' ? holdBackHalf(operation, body) : undefined;
    if (unprocessed) body = unprocessed.forwarded;
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, 'content-length': String(body.length) },
      },
      async (response) => {
        let responseBody = await bodyOf(response);
        if (fault === 'drop') {
          req.socket.destroy();
          return;
        }
        const headers = { ...response.headers };
        if (unprocessed && response.statusCode === 200) {
          const answer = JSON.parse(responseBody.toString());
          responseBody = Buffer.from(
            JSON.stringify({ ...answer, [unprocessed.field]: unprocessed.heldBack }),
          );
          // The SDK checks the body against DynamoDB's checksum, which no longer matches.
          delete headers['x-amz-crc32'];
          headers['content-length'] = String(responseBody.length);
        }
        proxy.observe({ operation, request: body, response: responseBody });
        res.writeHead(response.statusCode ?? 502, headers);
        res.end(responseBody);
      },
    );
    forwarded.on('error', () => req.socket.destroy());
    forwarded.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  proxy.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/**
 * A batch request's body with only the first half of each table's writes (BatchWriteItem) or keys
 * (BatchGetItem), and the rest as DynamoDB hands it back; undefined for other operations.
 */
function holdBackHalf(operation: string, body: Buffer) {
  if (operation !== 'BatchWriteItem' && operation !== 'BatchGetItem') return undefined;
  const batch = JSON.parse(body.toString()) as { RequestItems?: Record<string, unknown> };
  const kept: Record<string, unknown> = {};
  const heldBack: Record<string, unknown> = {};
  for (const [table, request] of Object.entries(batch.RequestItems ?? {})) {
    if (operation === 'BatchWriteItem') {
      const writes = request as unknown[];
      const half = Math.ceil(writes.length / 2);
      kept[table] = writes.slice(0, half);
      if (writes.length > half) heldBack[table] = writes.slice(half);
    } else {
      const read = request as { Keys: unknown[] };
      const half = Math.ceil(read.Keys.length / 2);
      kept[table] = { ...read, Keys: read.Keys.slice(0, half) };
      if (read.Keys.length > half) heldBack[table] = { ...read, Keys: read.Keys.slice(half) };
    }
  }
  return {
    field: operation === 'BatchWriteItem' ? 'UnprocessedItems' : 'UnprocessedKeys',
    forwarded: Buffer.from(JSON.stringify({ ...batch, RequestItems: kept })),
    heldBack,
  };
}
