import { readSessionScript } from './session-scripts.js';

describe('readSessionScript', () => {
  const settings = { idleTimeoutMs: 1_800_000, touchIntervalMs: 60_000, graceMs: 60_000 };

  it('writes the timeouts into the script, which then takes only the time as an argument', () => {
    const script = readSessionScript(settings);

    expect(script.lua.split('\n')[0]).toBe('local idle, interval, grace = 1800000, 60000, 60000');
    expect(script.lua).not.toMatch(/ARGV\[[2-9]\]/);
    expect(script.numberOfKeys).toBe(1);
  });

  it('names each set of timeouts apart, so a runner never confuses their scripts', () => {
    const other = readSessionScript({ ...settings, idleTimeoutMs: 600_000 });

    expect(other.name).not.toBe(readSessionScript(settings).name);
    expect(readSessionScript(settings)).toEqual(readSessionScript({ ...settings }));
  });

  it.each([
    ['a fraction', 1.5],
    ['a negative number', -1],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a number past 2^53', 2 ** 60],
  ])('refuses %s, so that nothing but digits reaches the Lua source', (_, value) => {
    expect(() => readSessionScript({ ...settings, touchIntervalMs: value })).toThrow(
      /touchIntervalMs must be a whole number of ms >= 0/,
    );
  });
});
