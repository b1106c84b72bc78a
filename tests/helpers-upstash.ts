/**
 * A small endpoint of the tests' own that speaks Upstash's REST protocol in front of a real
 * redis-server (no Upstash server exists here; the endpoint stays in the tests, never in the
 * package). The protocol as documented and as `@upstash/redis` uses it: `POST /` with a JSON
 * array (the command and its arguments), `POST /pipeline` with an array of them, a bearer token;
 * the answer `{ "result": … }`, or `{ "error": "<Redis's reply>" }` with status 400; with
 * `Upstash-Encoding: base64`, every string in a result base64-encoded. Listens on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';

export interface UpstashEndpoint {
  readonly url: string;
  readonly token: string;
  /** Every command it ran, in order (its name, upper case). */
  readonly commands: string[];
  /** Stops answering (connections refused) until `resume`. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

type Reply = string | number | null | Reply[];

const encode = (value: Reply): Reply =>
  typeof value === 'string' ? Buffer.from(value).toString('base64') : Array.isArray(value) ? value.map(encode) : value;

/** Starts the endpoint in front of the redis-server at `redisUrl`. */
export async function startUpstashEndpoint(redisUrl: string, token = 'test-rest-token-0123456789'): Promise<UpstashEndpoint> {
  const redis = createClient({ url: redisUrl });
  redis.on('error', () => {});
  await redis.connect();
  const commands: string[] = [];
  const run = async (command: unknown, base64: boolean): Promise<{ result?: Reply; error?: string }> => {
    if (!Array.isArray(command) || command.length === 0) return { error: 'ERR a command is a non-empty JSON array' };
    const args = command.map((part) => (typeof part === 'string' ? part : JSON.stringify(part)));
    commands.push((args[0] as string).toUpperCase());
    try {
      const result = (await redis.sendCommand(args)) as Reply;
      return { result: base64 ? encode(result) : result };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  const handler = (server: Server) =>
    server.on('request', (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        void (async () => {
          const send = (status: number, payload: unknown) => {
            res.writeHead(status, { 'content-type': 'application/json' });
            res.end(JSON.stringify(payload));
          };
          if (req.method !== 'POST') return send(405, { error: 'ERR POST only' });
          if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: 'Unauthorized' });
          let parsed: unknown;
          try {
            parsed = JSON.parse(body);
          } catch {
            return send(400, { error: 'ERR the body is not JSON' });
          }
          const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
          if (req.url === '/pipeline' || req.url === '/multi-exec') {
            if (!Array.isArray(parsed)) return send(400, { error: 'ERR a pipeline is an array of commands' });
            const results = [];
            for (const command of parsed) results.push(await run(command, base64));
            return send(200, results);
          }
          const answer = await run(parsed, base64);
          return send(answer.error === undefined ? 200 : 400, answer);
        })();
      });
    });
  let server = handler(createServer());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    commands,
    pause: stop,
    async resume() {
      server = handler(createServer());
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      if (server.listening) await stop();
      await redis.close();
    },
  };
}
