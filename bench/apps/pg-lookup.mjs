// Row "pg-read": a hand-written session lookup in PostgreSQL: the cookie's id, one indexed
// SELECT (primary key) per request through a pg Pool, 401 when missing or expired. The runner
// creates and drops the table `<schema>.bench_sessions` (a schema unique to the run).
import { Controller, Get, Module, Req, UnauthorizedException } from '@nestjs/common';
import pg from 'pg';
import {
  createApp,
  decorateClass,
  decorateMethod,
  decorateParam,
  env,
  injectConstructor,
  listenAndReport,
  okBody,
} from './common.mjs';

const POOL = 'BENCH_PG_POOL';
const POOL_SIZE = Number(process.env.BENCH_PG_POOL_SIZE ?? 10);

if (!/^[a-z_][a-z0-9_]*$/.test(env.pgSchema)) throw new Error(`bad schema ${env.pgSchema}`);
// A named statement is prepared once per connection: the same plan-once cost as a script SHA.
const lookup = {
  name: 'bench-session-lookup',
  text: `SELECT data FROM ${env.pgSchema}.bench_sessions WHERE id = $1 AND expires_at > now()`,
};

function sessionIdOf(req) {
  const header = req.headers.cookie ?? '';
  const match = /(?:^|;\s*)sid=([^;]*)/.exec(header);
  return match ? decodeURIComponent(match[1]) : null;
}

class PgController {
  constructor(pool) {
    this.pool = pool;
  }

  async read(req) {
    const id = sessionIdOf(req);
    if (id === null) throw new UnauthorizedException();
    const { rows } = await this.pool.query({ ...lookup, values: [id] });
    if (rows.length === 0) throw new UnauthorizedException();
    return okBody({ userId: rows[0].data.userId });
  }
}
injectConstructor(PgController, POOL);
decorateParam(PgController, 'read', 0, Req());
decorateMethod(PgController, 'read', Get('read'));
decorateClass(PgController, Controller());

const pool = new pg.Pool({ connectionString: env.pgUrl, max: POOL_SIZE });
pool.on('error', (error) => process.stderr.write(`pg pool: ${String(error)}\n`));

class PgModule {}
decorateClass(
  PgModule,
  Module({ controllers: [PgController], providers: [{ provide: POOL, useValue: pool }] }),
);

await listenAndReport(await createApp(PgModule), { poolSize: POOL_SIZE }, async () => {
  await pool.end();
});
