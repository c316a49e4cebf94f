// An HTTP proxy between a handler and DynamoDB Local that injects the faults a real network
// makes: a request that never arrives (the connection is reset before forwarding), and a request
// that is applied but whose response is lost (forwarded, then the connection is dropped). Tests
// that count what a handler asks of DynamoDB watch the exchanges that pass through it.
import { createServer, type IncomingMessage, request } from 'node:http';

export type Fault = 'pass' | 'reset' | 'drop';

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
    const body = await bodyOf(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    const fault = proxy.plan(operation);
    proxy.injected[operation] ??= { pass: 0, reset: 0, drop: 0 };
    proxy.injected[operation][fault] += 1;
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      async (response) => {
        const responseBody = await bodyOf(response);
        if (fault === 'drop') {
          req.socket.destroy();
          return;
        }
        proxy.observe({ operation, request: body, response: responseBody });
        res.writeHead(response.statusCode ?? 502, response.headers);
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
