// A local stand-in for an API Gateway HTTP API: turns each request into a payload format 2.0
// event for the real messages-sent handler and writes its answer back. Like API Gateway, it joins
// repeated query keys and headers with commas, answers 500 when the handler throws, and never
// lets a malformed request reach the handler.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface LocalHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;

function sendJson(
  res: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function toHttpApiEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const rawPath = queryAt < 0 ? target : target.slice(0, queryAt);
  const rawQueryString = queryAt < 0 ? '' : target.slice(queryAt + 1);

  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    query[key] = key in query ? `${query[key]},${value}` : value;
  }
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values) headers[name] = values.join(',');
  }
  const now = new Date();
  const method = req.method ?? 'GET';
  let path = rawPath;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    // Keep a path that is not valid percent-encoding as it came; it matches no route anyway.
  }
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0,
  };
}

/** The answers to requests Node.js could not read, by its error code; 400 for the others. */
const clientErrors = new Map<string | undefined, [number, string]>([
  ['HPE_HEADER_OVERFLOW', [431, 'Request Header Fields Too Large']],
  ['ERR_HTTP_REQUEST_TIMEOUT', [408, 'Request Timeout']],
]);

function clientErrorResponse(code: string | undefined): string {
  const [status, reason] = clientErrors.get(code) ?? [400, 'Bad Request'];
  const body = JSON.stringify({ message: reason });
  return (
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  );
}

function writeResult(res: ServerResponse, result: unknown): void {
  // API Gateway answers a result without a statusCode as 200 with the result as JSON.
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    sendJson(res, 200, result);
    return;
  }
  const { statusCode, headers, cookies, body, isBase64Encoded } =
    result as APIGatewayProxyStructuredResultV2;
  const outgoing: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) outgoing[name] = String(value);
  if (cookies?.length) outgoing['set-cookie'] = cookies;
  res.writeHead(statusCode ?? 200, outgoing);
  res.end(body === undefined ? undefined : Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8'));
}

export async function startHttpServer(options: {
  port: number;
  handler: HttpHandler;
  context: () => Context;
  onError?: (error: unknown) => void;
  /** How long a client may take to send its headers; Node.js's 60 s when unset. */
  headersTimeoutMs?: number;
}): Promise<LocalHttpServer> {
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      if (body === undefined) {
        // Stop reading the rest of an oversized body: answer, then close the connection.
        sendJson(res, 413, { message: 'Request Entity Too Large' }, { connection: 'close' });
        res.on('finish', () => req.destroy());
        return;
      }
      writeResult(res, await options.handler(toHttpApiEvent(req, body), options.context()));
    } catch (error) {
      options.onError?.(error);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
      else res.destroy();
    }
  });
  if (options.headersTimeoutMs !== undefined) {
    server.headersTimeout = options.headersTimeoutMs;
    // Node.js looks for connections past their timeouts this often (30 s by default); it reads
    // this when the server starts listening. Its types do not declare it.
    (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
      Math.min(options.headersTimeoutMs, 30_000) / 4;
  }
  // Requests Node cannot even parse (oversized headers, broken framing), or whose headers take
  // too long, get a JSON answer too. Then the socket is destroyed, as Node's own handler does:
  // only ended, it would stay half open for a client that keeps sending, out of reach of the
  // headers timeout.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable) socket.write(clientErrorResponse(error.code));
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: '127.0.0.1', exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
