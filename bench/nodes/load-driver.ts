/**
 * paywire-bench-driver: a bench-only node loaded into the measured Node-RED. Its output feeds
 * the flow under test and the flow's end (and a Catch node) comes back to its input, so it can
 * keep N messages in flight and time each one inside the runtime, with no HTTP in front.
 * POST /paywire-bench/<node id>/run {concurrency, durationMs} starts a closed-loop run and
 * answers with its LoadRun. POST /paywire-bench/profile/start and …/stop {path} write a V8 CPU
 * profile of exactly what ran in between (start-up and deploy left out, unlike --cpu-prof).
 */
import type { Request, Response } from 'express';
import fs from 'node:fs';
import { Session } from 'node:inspector';
import { closedLoop } from '../support/closed-loop';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../../nodes/shared/red';
import { httpAdminApp } from '../../nodes/shared/red';

interface DriverConfig extends NodeDef {
  /** JSON of msg.payload for every message (a fresh copy each time). */
  payload: string;
}

type Finish = (ok: boolean) => void;

/** `payload`, when given, replaces the node's configured msg.payload for this run. */
const drivers = new Map<string, { run(concurrency: number, durationMs: number, payload?: unknown): ReturnType<typeof closedLoop> }>();

function post(session: Session, method: string): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result))));
}

let profiling: Session | undefined;

async function startProfile(): Promise<void> {
  if (profiling) throw new Error('a profile is already running');
  profiling = new Session();
  profiling.connect();
  await post(profiling, 'Profiler.enable');
  await post(profiling, 'Profiler.start');
}

async function stopProfile(file: string): Promise<void> {
  const session = profiling;
  if (!session) throw new Error('no profile is running');
  profiling = undefined;
  const { profile } = (await post(session, 'Profiler.stop')) as { profile: unknown };
  session.disconnect();
  fs.writeFileSync(file, JSON.stringify(profile));
}

export = function register(RED: NodeAPI): void {
  function LoadDriverNode(this: Node, config: DriverConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const pending = new Map<number, Finish>();
    let seq = 0;
    let lastError = '';

    node.on('input', (msg: NodeMessage & { benchSeq?: number; error?: { message?: string } }) => {
      const finish = msg.benchSeq === undefined ? undefined : pending.get(msg.benchSeq);
      if (!finish) return;
      pending.delete(msg.benchSeq!);
      if (msg.error) lastError = msg.error.message ?? 'error';
      finish(!msg.error);
    });

    drivers.set(node.id, {
      run: async (concurrency, durationMs, payload) => {
        const json = payload === undefined ? config.payload : JSON.stringify(payload);
        lastError = '';
        const result = await closedLoop({ concurrency, durationMs }, (finish) => {
          seq += 1;
          pending.set(seq, finish);
          node.send({ _msgid: RED.util.generateId(), benchSeq: seq, payload: JSON.parse(json) as unknown });
        });
        if (result.errors > 0) throw new Error(`${result.errors} messages failed, last: ${lastError}`);
        return result;
      },
    });
    node.on('close', () => {
      drivers.delete(node.id);
      pending.clear();
    });
  }

  RED.nodes.registerType('paywire-bench-driver', LoadDriverNode);

  httpAdminApp(RED)?.post('/paywire-bench/:id/run', (req: Request, res: Response) => {
    const driver = drivers.get(String(req.params.id));
    const body = req.body as { concurrency?: number; durationMs?: number; payload?: unknown };
    if (!driver) return void res.status(404).json({ error: 'no such driver' });
    driver.run(Number(body.concurrency) || 1, Number(body.durationMs) || 1000, body.payload).then(
      (result) => res.json(result),
      (err: unknown) => res.status(500).json({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
  const answer = (res: Response, work: Promise<void>): void =>
    void work.then(
      () => res.status(204).end(),
      (err: unknown) => res.status(500).json({ error: err instanceof Error ? err.message : String(err) }),
    );
  httpAdminApp(RED)?.post('/paywire-bench/profile/start', (_req: Request, res: Response) => answer(res, startProfile()));
  httpAdminApp(RED)?.post('/paywire-bench/profile/stop', (req: Request, res: Response) => answer(res, stopProfile(String((req.body as { path?: string }).path))));
};
