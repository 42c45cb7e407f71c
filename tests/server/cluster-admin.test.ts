import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startClusterControl } from '../../demo-server/cluster/control.ts';
import { CLUSTER_ADMIN_OFF, CLUSTER_ENV, clusterAdminFromEnv } from '../../demo-server/http/cluster-admin.ts';
import { closed, openClient, startServer, type RunningServer } from '../helpers/demo-server.ts';

const SECRET = 'test-secret-0123456789abcdefXYZ';

/** One HTTP request from `localAddress`; answers the status and the JSON body. */
function call(url: string, options: { method?: string; headers?: Record<string, string>; localAddress?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, localAddress: options.localAddress }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        try {
          done({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
        } catch {
          fail(new Error(`${String(response.statusCode)}: not JSON: ${text}`));
        }
      });
    });
    outgoing.on('error', fail);
    outgoing.end();
  });
}

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

describe("chapter 11's cluster admin actions (/cluster/…)", () => {
  let running: RunningServer | null = null;
  afterEach(async () => {
    await running?.close();
    running = null;
  });

  it('answers 404 on every /cluster/ path of a server npm run cluster did not start, even with a secret', async () => {
    running = await startServer();
    for (const [method, path] of [
      ['GET', '/cluster/admin'],
      ['POST', '/cluster/instances/demo-2/stop'],
      ['POST', '/cluster/self/drain'],
      ['GET', '/cluster/self/handshakes?sinceMs=0'],
    ] as const) {
      expect(await call(`${running.httpUrl}${path}`, { method, headers: bearer(SECRET) })).toEqual({ status: 404, body: { error: CLUSTER_ADMIN_OFF } });
    }
  });

  it('refuses the actions without the secret or with a wrong one, and a hostile header, with 401', async () => {
    running = await startServer({ clusterAdmin: { secret: SECRET, controlUrl: 'http://127.0.0.1:9', name: 'demo-2' } });
    const socket = await openClient(`${running.wsUrl}/ws/echo`);
    for (const headers of [{}, bearer('wrong-secret-0123456789abcdefXYZ'), bearer(SECRET.slice(0, -1)), { authorization: SECRET }, bearer(`${SECRET}x`.repeat(100))]) {
      const answer = await call(`${running.httpUrl}/cluster/self/drain`, { method: 'POST', headers });
      expect(answer.status).toBe(401);
      expect(answer.body.error).toBe("cluster admin actions need the cluster's secret (Authorization: Bearer …, from GET /cluster/admin)");
    }
    // Nothing was drained.
    expect(running.server.connections.size).toBe(1);
    socket.terminate();
  });

  it('gives the secret and takes actions only from this machine: a client named by a trusted proxy from the LAN gets 403', async () => {
    running = await startServer({ trustedProxies: ['127.0.0.1'], clusterAdmin: { secret: SECRET, controlUrl: 'http://127.0.0.1:9', name: 'demo-2' } });
    expect(await call(`${running.httpUrl}/cluster/admin`)).toEqual({ status: 200, body: { instance: 'demo-2', secret: SECRET } });
    const fromLan = { 'x-forwarded-for': '192.168.1.23' };
    expect(await call(`${running.httpUrl}/cluster/admin`, { headers: fromLan })).toEqual({ status: 403, body: { error: 'cluster admin actions answer only this machine (your address is 192.168.1.23)' } });
    expect((await call(`${running.httpUrl}/cluster/self/drain`, { method: 'POST', headers: { ...fromLan, ...bearer(SECRET) } })).status).toBe(403);
  });

  it('drains: closes every client with 1012 (Service Restart) and counts the handshakes per 100 ms', async () => {
    running = await startServer({ clusterAdmin: { secret: SECRET, controlUrl: 'http://127.0.0.1:9', name: 'demo-2' } });
    const startedAt = Date.now();
    const sockets = await Promise.all([1, 2, 3].map(() => openClient(`${running?.wsUrl ?? ''}/ws/echo`)));
    const counts = await call(`${running.httpUrl}/cluster/self/handshakes?sinceMs=${String(startedAt - 100)}`, { headers: bearer(SECRET) });
    expect(counts.status).toBe(200);
    expect(counts.body.bucketMs).toBe(100);
    expect((counts.body.buckets as { count: number }[]).reduce((sum, each) => sum + each.count, 0)).toBe(3);
    const closes = sockets.map((socket) => closed(socket));
    expect(await call(`${running.httpUrl}/cluster/self/drain`, { method: 'POST', headers: bearer(SECRET) })).toEqual({ status: 200, body: { instance: 'demo-2', closed: 3, code: 1012 } });
    for (const close of await Promise.all(closes)) expect(close.code).toBe(1012);
  });

  it('answers hostile input with a clear error: bad sinceMs, wrong method, unknown path', async () => {
    running = await startServer({ clusterAdmin: { secret: SECRET, controlUrl: 'http://127.0.0.1:9', name: 'demo-2' } });
    expect(await call(`${running.httpUrl}/cluster/self/handshakes?sinceMs=-1e99`, { headers: bearer(SECRET) })).toEqual({
      status: 400,
      body: { error: 'sinceMs must be a whole number of milliseconds since 1970, got "-1e99"' },
    });
    expect((await call(`${running.httpUrl}/cluster/self/drain`, { headers: bearer(SECRET) })).status).toBe(405);
    expect(await call(`${running.httpUrl}/cluster/nothing`, { headers: bearer(SECRET) })).toEqual({ status: 404, body: { error: 'no cluster admin action at /cluster/nothing' } });
    // The control server is not there (port 9): a clear 502, not a hang or a crash.
    const relayed = await call(`${running.httpUrl}/cluster/instances`, { headers: bearer(SECRET) });
    expect(relayed.status).toBe(502);
    expect(relayed.body.error).toMatch(/^the cluster's control server did not answer: /);
  });

  it('reads its settings from the environment npm run cluster sets, and refuses incomplete or weak ones', () => {
    expect(clusterAdminFromEnv({})).toBeNull();
    const env = { [CLUSTER_ENV.secret]: SECRET, [CLUSTER_ENV.controlUrl]: 'http://127.0.0.1:4000', [CLUSTER_ENV.name]: 'demo-1' };
    expect(clusterAdminFromEnv(env)).toEqual({ secret: SECRET, controlUrl: 'http://127.0.0.1:4000', name: 'demo-1' });
    expect(() => clusterAdminFromEnv({ [CLUSTER_ENV.secret]: SECRET })).toThrow(TypeError);
    expect(() => clusterAdminFromEnv({ ...env, [CLUSTER_ENV.secret]: 'short' })).toThrow('SOCKETBOOK_CLUSTER_SECRET must be at least 22 base64url characters');
    expect(() => clusterAdminFromEnv({ ...env, [CLUSTER_ENV.controlUrl]: 'http://10.0.0.1:4000' })).toThrow('must look like http://127.0.0.1:<port>');
    expect(() => clusterAdminFromEnv({ ...env, [CLUSTER_ENV.name]: '../x' })).toThrow(TypeError);
  });
});

describe("npm run cluster's control server", () => {
  it('refuses every request without the secret, and names the instances and actions for an unknown one', async () => {
    const control = await startClusterControl({ secret: SECRET, instances: [], proxyPort: () => null });
    try {
      expect(await call(`${control.url}/instances`)).toEqual({ status: 401, body: { error: "the cluster's control server needs its secret" } });
      expect(await call(`${control.url}/instances/demo-1/stop`, { method: 'POST', headers: bearer('x') })).toEqual({ status: 401, body: { error: "the cluster's control server needs its secret" } });
      expect(await call(`${control.url}/instances`, { headers: bearer(SECRET) })).toEqual({ status: 200, body: { instances: [], proxyPort: null } });
      const unknown = await call(`${control.url}/instances/demo-9/stop`, { method: 'POST', headers: bearer(SECRET) });
      expect(unknown).toEqual({ status: 404, body: { error: 'no such instance or action: /instances/demo-9/stop (instances: ; actions: stop, start, drain, herd, handshakes)' } });
    } finally {
      await control.close();
    }
  });
});
