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
import { LostCompletionError, closedLoop } from '../support/closed-loop';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, SendFn } from '../../nodes/shared/red';
import { httpAdminApp } from '../../nodes/shared/red';

interface DriverConfig extends NodeDef {
  /** JSON of msg.payload for every message (a fresh copy each time). */
  payload: string;
}

type Finish = (ok: boolean) => void;

/** `payload`, when given, replaces the node's configured msg.payload for this run. */
interface DriverRun extends Awaited<ReturnType<typeof closedLoop>> {
  lastError: string;
}

interface RunOptions {
  /** Messages may fail (the completion tests); otherwise one failure fails the run. */
  allowErrors?: boolean;
  /** How long after the run a missing message is waited for before the run fails (default 30 s). */
  graceMs?: number;
}

const drivers = new Map<string, { run(concurrency: number, durationMs: number, payload: unknown, options: RunOptions): Promise<DriverRun> }>();

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
  // Where each bench message was last delivered (node id), for the dump of a lost completion.
  // One Map write per delivery, paid alike by every flow the driver measures (the no-op floor too).
  const lastNode = new Map<number, string>();
  RED.hooks.add('onReceive.paywireBench', (event: { msg: { benchSeq?: unknown }; destination: { id: string } }) => {
    if (typeof event.msg.benchSeq === 'number') lastNode.set(event.msg.benchSeq, event.destination.id);
  });

  function LoadDriverNode(this: Node, config: DriverConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const pending = new Map<number, { finish: Finish; msgid: string }>();
    // Sequence numbers are unique across runs of this driver (a late message of an earlier run is ignored).
    let base = 0;
    let lastError = '';

    node.on('input', (msg: NodeMessage & { benchSeq?: number; error?: { message?: string } }) => {
      const entry = msg.benchSeq === undefined ? undefined : pending.get(msg.benchSeq);
      if (!entry) return;
      pending.delete(msg.benchSeq!);
      lastNode.delete(msg.benchSeq!);
      if (msg.error) lastError = msg.error.message ?? 'error';
      entry.finish(!msg.error);
    });

    drivers.set(node.id, {
      run: async (concurrency, durationMs, payload, options) => {
        const json = payload === undefined ? config.payload : JSON.stringify(payload);
        const runBase = base;
        lastError = '';
        try {
          const result = await closedLoop(
            {
              concurrency,
              durationMs,
              graceMs: options.graceMs,
              describe: (seq) => ({ msgid: pending.get(runBase + seq)?.msgid, node: lastNode.get(runBase + seq) ?? 'never delivered' }),
            },
            (finish, seq) => {
              const msgid = RED.util.generateId();
              pending.set(runBase + seq, { finish, msgid });
              node.send({ _msgid: msgid, benchSeq: runBase + seq, payload: JSON.parse(json) as unknown });
            },
          );
          if (result.errors > 0 && !options.allowErrors) throw new Error(`${result.errors} messages failed, last: ${lastError}`);
          return { ...result, lastError };
        } finally {
          // A straggler of this run (after a lost-completion failure) can never match a later run's message.
          base = runBase + 1_000_000_000;
          pending.clear();
        }
      },
    });
    node.on('close', () => {
      drivers.delete(node.id);
      pending.clear();
    });
  }

  RED.nodes.registerType('paywire-bench-driver', LoadDriverNode);

  // The floor under any node: receive, pass on, done. Two hops per message, like an action node.
  function NoopNode(this: Node, config: NodeDef): void {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: NodeMessageInFlow, send: SendFn, done: DoneFn) => {
      send(msg);
      done();
    });
  }
  RED.nodes.registerType('paywire-bench-noop', NoopNode);

  // Node-RED answers a deploy before it starts the flows: the harness asks here until its drivers exist.
  httpAdminApp(RED)?.get('/paywire-bench/:id', (req: Request, res: Response) => void res.status(drivers.has(String(req.params.id)) ? 204 : 404).end());

  httpAdminApp(RED)?.post('/paywire-bench/:id/run', (req: Request, res: Response) => {
    const driver = drivers.get(String(req.params.id));
    const body = req.body as { concurrency?: number; durationMs?: number; payload?: unknown; allowErrors?: boolean; graceMs?: number };
    if (!driver) return void res.status(404).json({ error: 'no such driver' });
    const options = { allowErrors: body.allowErrors === true, graceMs: Number(body.graceMs) > 0 ? Number(body.graceMs) : undefined };
    driver.run(Number(body.concurrency) || 1, Number(body.durationMs) || 1000, body.payload, options).then(
      (result) => res.json(result),
      (err: unknown) => res.status(500).json({ error: err instanceof Error ? err.message : String(err), lost: err instanceof LostCompletionError }),
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
