/**
 * The package as users get it: `npm pack` once per test process, then installed into fresh
 * Node-RED user directories with the registry client, from the cache `npm ci` filled.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './paths';

export const PACKAGE = '@paywire/node-red-crypto-payments';

export interface PackedModule {
  tarball: string;
  /** Paths inside the tarball, as npm lists them. */
  files: string[];
}

let packed: { dir: string; module: PackedModule } | undefined;

export function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

/** Packs the built project once; later calls return the same tarball. */
export function packModule(): PackedModule {
  if (!packed) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-pack-'));
    const list = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], REPO_ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const tarball = path.join(dir, path.basename(list[0]!.filename));
    packed = { dir, module: { tarball, files: list[0]!.files.map((f) => f.path) } };
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return packed.module;
}

/** A new Node-RED user directory inside `workDir` with the packed module installed. */
export function installPacked(workDir: string): string {
  const userDir = path.join(workDir, 'user');
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'paywire-user-dir', private: true }));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=dev', packModule().tarball], userDir);
  return userDir;
}
