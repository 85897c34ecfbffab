// The PostgreSQL row's table: created in a schema unique to the run, dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Connects (3 s bound), creates `<schema>.bench_sessions(id text primary key, data jsonb,
 * expires_at timestamptz)`, fills `rows` other sessions plus the one the benchmark reads.
 * Throws when PostgreSQL cannot be reached: the caller skips the row.
 */
export async function setUpPostgres(url, { rows, session }) {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 3000,
    statement_timeout: 60_000,
  });
  client.on('error', () => {});
  await client.connect();
  await dropStaleSchemas(client);
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  const table = `${schema}.bench_sessions`;
  let created = false;
  const drop = async () => {
    if (created) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    created = false;
    await client.end();
  };
  try {
    const { rows: versionRows } = await client.query('SHOW server_version');
    await client.query(`CREATE SCHEMA ${schema}`);
    created = true;
    await client.query(
      `CREATE TABLE ${table} (id text PRIMARY KEY, data jsonb NOT NULL, expires_at timestamptz NOT NULL)`,
    );
    await client.query(
      `INSERT INTO ${table} (id, data, expires_at)
       SELECT md5(i::text) || md5((i * 7919)::text), $1::jsonb, now() + interval '30 minutes'
       FROM generate_series(1, $2::int) AS i`,
      [JSON.stringify(session), rows],
    );
    const sessionId = randomBytes(32).toString('base64url');
    await client.query(
      `INSERT INTO ${table} (id, data, expires_at) VALUES ($1, $2::jsonb, now() + interval '30 minutes')`,
      [sessionId, JSON.stringify(session)],
    );
    await client.query(`ANALYZE ${table}`);
    return { schema, sessionId, version: versionRows[0].server_version, drop };
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Schemas of earlier runs that were killed before they could drop theirs (SIGKILL): named
 * bench_<pid>_<start time>, they are dropped when that runner is gone and they are over a
 * minute old.
 */
async function dropStaleSchemas(client) {
  const { rows } = await client.query(
    "SELECT nspname FROM pg_namespace WHERE nspname ~ '^bench_[0-9]+_[0-9a-z]+$'",
  );
  for (const { nspname } of rows) {
    const [, pid, time] = nspname.split('_');
    const ageMs = Date.now() - parseInt(time, 36);
    if (Number(pid) !== process.pid && !isAlive(Number(pid)) && ageMs > 60_000) {
      await client.query(`DROP SCHEMA IF EXISTS ${nspname} CASCADE`);
    }
  }
}
