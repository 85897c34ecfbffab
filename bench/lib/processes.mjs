// Child processes of the benchmark: every one is tracked by PID, stopped by PID, and bounded
// in time. If the runner dies, children notice their closed stdin and exit by themselves
// (see apps/common.mjs); if it exits normally or is interrupted, the safety net below kills
// whatever is still tracked.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set();
let netInstalled = false;
let interruptHook = async () => {};

/** Async cleanup (bounded to 5 s) run after the children are killed on SIGINT/SIGTERM/SIGHUP. */
export function onInterrupt(hook) {
  interruptHook = hook;
  installSafetyNet();
}

function installSafetyNet() {
  if (netInstalled) return;
  netInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping the benchmark's processes\n`);
      killAllNow();
      const force = setTimeout(() => process.exit(130), 5000);
      void interruptHook()
        .catch(() => {})
        .finally(() => {
          clearTimeout(force);
          process.exit(130);
        });
    });
  }
}

/** SIGKILL to every tracked child, by PID (and to grandchildren registered with trackPid). */
export function killAllNow() {
  for (const child of live) signalQuietly(child, 'SIGCONT');
  for (const child of live) signalQuietly(child, 'SIGKILL');
  live.clear();
  for (const pid of extraPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  extraPids.clear();
}

const extraPids = new Set();

/** A grandchild (e.g. redis-server under `timeout`) that killAllNow must kill by PID too. */
export function trackPid(pid) {
  installSafetyNet();
  extraPids.add(pid);
  return () => extraPids.delete(pid);
}

export function isRunning(child) {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

function signalQuietly(child, signal) {
  if (!isRunning(child)) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Spawns a tracked child. stdin is a pipe that stays open: the children of this benchmark
 * exit when it closes (the runner died). Returns the ChildProcess with an `exited` promise.
 */
export function spawnTracked(command, args, options = {}) {
  installSafetyNet();
  const child = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      live.delete(child);
      resolve({ code: null, signal: null, error });
    });
  });
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopChild(child, graceMs = 3000) {
  if (!child || !isRunning(child)) return;
  signalQuietly(child, 'SIGTERM');
  const timer = setTimeout(() => signalQuietly(child, 'SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/**
 * Runs `node script args...` to completion within `timeoutMs` and returns its stdout, stderr
 * and exit code; killed by PID at the deadline.
 */
export async function runNode(script, args, { timeoutMs, env, cwd } = {}) {
  const child = spawnTracked(process.execPath, [script, ...args], {
    env: env ?? process.env,
    cwd,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-8000)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalQuietly(child, 'SIGKILL');
  }, timeoutMs ?? 60_000);
  const { code, signal, error } = await child.exited;
  clearTimeout(timer);
  child.stdin.destroy();
  return { stdout, stderr, code, signal, timedOut, error };
}

/** Like runNode, but parses the last line of stdout as JSON and throws on any failure. */
export async function runNodeJson(script, args, options) {
  const result = await runNode(script, args, options);
  const what = script.split('/').slice(-2).join('/');
  if (result.timedOut) throw new Error(`${what}: killed after ${options?.timeoutMs ?? 60_000} ms`);
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.code !== 0) {
    const lines = result.stderr.trim().split('\n');
    const reason = lines.find((line) => /Error\b|error:/.test(line)) ?? lines.pop();
    throw new Error(`${what}: exit ${result.code ?? result.signal}: ${reason}`);
  }
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`${what}: no JSON on stdout\n${result.stdout}\n${result.stderr}`);
  }
}

/**
 * Starts a long-lived app (`node file`) and waits for its `BENCH_READY {json}` line.
 * Returns { child, info, stop() }.
 */
export async function startApp(file, { env, readyTimeoutMs = 30_000, name = file } = {}) {
  const child = spawnTracked(process.execPath, [file], { env });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-8000)));
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${name}: not ready within ${readyTimeoutMs} ms\n${stderr}`));
    }, readyTimeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      const match = /BENCH_READY (\{.*\})\n/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(JSON.parse(match[1]));
      }
      if (stdout.length > 100_000) stdout = stdout.slice(-1000);
    });
    void child.exited.then(({ code, signal, error }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${name}: exited before it was ready (${error?.message ?? code ?? signal})\n${stderr}`,
        ),
      );
    });
  }).catch(async (error) => {
    await stopChild(child, 1000);
    throw error;
  });
  return {
    child,
    info,
    stderrTail: () => stderr,
    stop: () => stopChild(child),
  };
}

export { sleep };
