import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/*
 * The published package as a user gets it (STYLE §2.14): `npm pack` (which builds through
 * `prepack`), then a fresh NestJS 12 project that installs the tarball next to its peers and
 * compiles an app against it with strict settings and no skipLibCheck. Needs the npm registry or
 * a populated npm cache: without either, `npm install` fails and so does this test.
 */

const TIMEOUT_MS = 180_000;
const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const PEERS = ['@nestjs/common', '@nestjs/core', 'ioredis', 'reflect-metadata', 'rxjs'] as const;

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion; never rejects, so each caller can say what a failure means. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr: error?.killed ? `${stderr}\n(killed: timeout)` : stderr });
      },
    );
  });
}

function fail(step: string, result: Result): never {
  const tail = (text: string) => text.trim().split('\n').slice(-25).join('\n');
  throw new Error(
    `${step} failed (exit ${result.code ?? 'none'})\n--- stderr ---\n${tail(result.stderr)}\n--- stdout ---\n${tail(result.stdout)}`,
  );
}

/** Entry names of a .tgz, read with zlib and the ustar header layout (no `tar` binary needed). */
function tarEntries(file: string): string[] {
  const tar = gunzipSync(readFileSync(file));
  const names: string[] = [];
  const text = (start: number, length: number) =>
    tar.toString('utf8', start, start + length).replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= tar.length;) {
    const name = text(offset, 100);
    if (name === '') break;
    const prefix = text(offset + 345, 155);
    const size = parseInt(text(offset + 124, 12).trim() || '0', 8);
    names.push(prefix ? `${prefix}/${name}` : name);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

/** The version of `name` installed in this repository: the fresh project uses the same. */
function repositoryVersion(name: string): string {
  // Read as a file: not every package lists its package.json in its "exports".
  const path = join(repositoryRoot, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

const CONSUMER_APP = `import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import {
  CurrentSession,
  Public,
  SessionGuard,
  SessionModule,
  SessionService,
  type Session,
} from 'nest-redis-session';
import {
  MemorySessionStore,
  SessionTestingModule,
  sessionCookieFor,
  type SessionTestingModuleOptions,
} from 'nest-redis-session/testing';

interface CartData {
  cart?: string[];
}

@Controller()
export class ShopController {
  constructor(private readonly sessions: SessionService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@CurrentSession() session: Session<CartData>, @Body() body: { user: string }) {
    await this.sessions.establish(session, { userId: body.user, roles: ['user'] });
    return { sessionId: session.id, expiresAt: session.expiresAt.toISOString() };
  }

  @Get('me')
  me(@CurrentSession() session: Session<CartData>): { userId: string | null; cart: string[] } {
    return { userId: session.userId, cart: session.data.cart ?? [] };
  }
}

@Module({
  imports: [SessionModule.forRoot({ redis: { url: 'redis://127.0.0.1:7000' } })],
  controllers: [ShopController],
  providers: [{ provide: APP_GUARD, useClass: SessionGuard }],
})
export class AppModule {}

const testingOptions: SessionTestingModuleOptions = { cookie: { secure: false } };

@Module({
  imports: [SessionTestingModule.forRoot(testingOptions)],
  controllers: [ShopController],
  providers: [{ provide: APP_GUARD, useClass: SessionGuard }],
})
export class TestAppModule {}

export async function cookieForTest(): Promise<string> {
  const app = await NestFactory.create(TestAppModule, { logger: false });
  await app.init();
  const store: MemorySessionStore = app.get(MemorySessionStore);
  const cookie: string = await sessionCookieFor(app, { userId: 'alice', roles: ['admin'] });
  await store.generation('alice');
  await app.close();
  return cookie;
}
`;

// A resolve hook that makes any import of ioredis throw, naming the importer.
const NO_IOREDIS_HOOKS = `export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'ioredis' || specifier.startsWith('ioredis/')) {
    throw new Error('ioredis was imported by ' + context.parentURL);
  }
  return nextResolve(specifier, context);
}
`;

const TESTING_SMOKE = `import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { SessionTestingModule, sessionCookieFor } from 'nest-redis-session/testing';
const app = await NestFactory.createApplicationContext(SessionTestingModule.forRoot(), { logger: false });
console.log(await sessionCookieFor(app, { userId: 'smoke' }));
await app.close();
`;

describe('the published package (npm pack, then a fresh NestJS 12 project)', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'nest-redis-session-pack-'));
  const appDir = join(workDir, 'app');
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  let tarball: Promise<string> | undefined;
  let installed: Promise<void> | undefined;

  /** Packs once; every test that needs the tarball waits on the same run. */
  function packed(): Promise<string> {
    tarball ??= (async () => {
      const result = await run(
        'npm',
        ['pack', '-w', 'libs/session', '--pack-destination', workDir],
        repositoryRoot,
        120_000,
      );
      if (result.code !== 0) fail('npm pack -w libs/session', result);
      const [file] = readdirSync(workDir).filter((name) => name.endsWith('.tgz'));
      if (file === undefined) fail('npm pack -w libs/session (no .tgz written)', result);
      return join(workDir, file);
    })();
    return tarball;
  }

  /** Creates the fresh project and installs the tarball with the repository's peer versions. */
  function freshProject(): Promise<void> {
    installed ??= (async () => {
      const file = await packed();
      mkdirSync(join(appDir, 'src'), { recursive: true });
      const pinned = (names: readonly string[]) =>
        Object.fromEntries(names.map((name) => [name, repositoryVersion(name)]));
      const manifest = {
        name: 'fresh-nest-app',
        private: true,
        type: 'module',
        dependencies: {
          ...pinned([...PEERS, '@nestjs/platform-express']),
          'nest-redis-session': `file:${file}`,
        },
        // Every Nest project has Node's types; @nestjs/common's declarations need them.
        devDependencies: pinned(['typescript', '@types/node']),
      };
      writeFileSync(join(appDir, 'package.json'), JSON.stringify(manifest, null, 2));
      writeFileSync(
        join(appDir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2023',
            lib: ['ES2023'],
            module: 'nodenext',
            moduleResolution: 'nodenext',
            strict: true,
            skipLibCheck: false,
            experimentalDecorators: true,
            emitDecoratorMetadata: true,
            noEmit: true,
          },
          include: ['src'],
        }),
      );
      writeFileSync(join(appDir, 'src', 'app.ts'), CONSUMER_APP);
      const result = await run(
        'npm',
        // Few, short retries: without a registry, fail in seconds with npm's own reason.
        [
          'install',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--fetch-retries=1',
          '--fetch-retry-mintimeout=2000',
          '--fetch-retry-maxtimeout=5000',
        ],
        appDir,
        120_000,
      );
      if (result.code !== 0) {
        fail(
          'npm install in the fresh project (it needs the npm registry, or every package in the npm cache; npm says why below)',
          result,
        );
      }
    })();
    return installed;
  }

  it(
    'packs dist, README and package.json, and no sources or tests',
    async () => {
      const entries = tarEntries(await packed());
      for (const required of [
        'package/package.json',
        'package/README.md',
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/dist/testing/index.js',
        'package/dist/testing/index.d.ts',
        'package/dist/terminus/index.js',
      ]) {
        expect(entries).toContain(required);
      }
      const unwanted = entries.filter(
        (entry) =>
          entry.startsWith('package/src/') ||
          entry.startsWith('package/test/') ||
          /\.(spec|e2e-spec|contract)\.|(^|\/)test\//.test(entry) ||
          (entry.endsWith('.ts') && !entry.endsWith('.d.ts')),
      );
      expect(unwanted).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'declares the framework, ioredis, reflect-metadata and rxjs as peers, never bundles them',
    async () => {
      await freshProject();
      const manifest = JSON.parse(
        readFileSync(join(appDir, 'node_modules', 'nest-redis-session', 'package.json'), 'utf8'),
      ) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
      expect(Object.keys(manifest.peerDependencies ?? {})).toEqual(
        expect.arrayContaining([...PEERS]),
      );
      expect(
        Object.keys(manifest.dependencies ?? {}).filter(
          (name) => name in (manifest.peerDependencies ?? {}),
        ),
      ).toEqual([]);

      for (const peer of PEERS) {
        const listed = await run('npm', ['ls', peer, '--all', '--parseable'], appDir, 60_000);
        if (listed.code !== 0) fail(`npm ls ${peer}`, listed);
        // One copy, hoisted to the project's node_modules: the app and the library share it.
        expect({ peer, paths: listed.stdout.trim().split('\n') }).toEqual({
          peer,
          paths: [join(appDir, 'node_modules', peer)],
        });
      }
    },
    TIMEOUT_MS,
  );

  it(
    'compiles an app using the module, the guard, the decorators and /testing with zero diagnostics',
    async () => {
      await freshProject();
      const tsc = join(appDir, 'node_modules', '.bin', 'tsc');
      const result = await run(tsc, ['--noEmit', '-p', 'tsconfig.json'], appDir, 120_000);
      expect({ code: result.code, diagnostics: result.stdout.trim() }).toEqual({
        code: 0,
        diagnostics: '',
      });
    },
    TIMEOUT_MS,
  );

  it(
    'runs nest-redis-session/testing from dist without loading ioredis',
    async () => {
      await freshProject();
      writeFileSync(join(appDir, 'no-ioredis.hooks.mjs'), NO_IOREDIS_HOOKS);
      writeFileSync(
        join(appDir, 'no-ioredis.mjs'),
        "import { register } from 'node:module';\nregister('./no-ioredis.hooks.mjs', import.meta.url);\n",
      );
      writeFileSync(join(appDir, 'testing-smoke.mjs'), TESTING_SMOKE);
      writeFileSync(join(appDir, 'main-smoke.mjs'), "import 'nest-redis-session';\n");
      const node = process.execPath;

      const testing = await run(
        node,
        ['--import', './no-ioredis.mjs', 'testing-smoke.mjs'],
        appDir,
        60_000,
      );
      if (testing.code !== 0) fail('node testing-smoke.mjs', testing);
      expect(testing.stdout.trim()).toMatch(/^__Host-sid=[A-Za-z0-9_-]{43}$/);

      // The guard itself works: the main entry point does load ioredis, and is caught.
      const main = await run(
        node,
        ['--import', './no-ioredis.mjs', 'main-smoke.mjs'],
        appDir,
        60_000,
      );
      expect(main.code).not.toBe(0);
      expect(main.stderr).toMatch(/ioredis was imported by .*nest-redis-session\/dist\//);
    },
    TIMEOUT_MS,
  );
});
