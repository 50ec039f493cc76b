import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { formatDuration, parseDuration } from './duration.js';
import { builtInScenarios, loadScenario, parseScenario } from './scenario.js';

function problemsOf(json: unknown): { path: string; message: string }[] {
  try {
    parseScenario(json, 'my-drill.json');
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_SCENARIO');
    return (error as AppError & { details: { problems: { path: string; message: string }[] } }).details
      .problems;
  }
  throw new Error('expected the scenario to be refused');
}

describe('scenario files', () => {
  it('ships the four documented scenarios, all valid', () => {
    expect(builtInScenarios()).toEqual(
      expect.arrayContaining(['normal-day', 'rainstorm', 'pipe-burst', 'stress']),
    );
    for (const name of builtInScenarios()) expect(loadScenario(name).name).toBe(name);
    const rain = loadScenario('rainstorm');
    expect(rain).toMatchObject({ durationMs: 6 * 3_600_000, pace: 60 });
    expect(rain.rain[0]!.counties).toContain('500106'); // 沙坪坝区, by name in the file
    expect(loadScenario('normal-day')).toMatchObject({ durationMs: null, pace: 1, sensors: 20_000 });
    expect(loadScenario('stress').sensors).toBe(100_000);
  });

  it('fills every default for a minimal file and resolves county names, codes and urban-core', () => {
    const s = parseScenario(
      {
        name: 'mine',
        title: 'A drill',
        duration: '2h',
        speed: 'max',
        weather: [{ kind: 'rain', counties: ['渝中', '500105', 'urban-core'], end: '1h' }],
        incidents: [{ kind: 'gas_leak', at: '10m', county: '北碚区', township: '天生街道' }],
      },
      'x.json',
    );
    expect(s).toMatchObject({
      seed: 2026,
      sensors: 20_000,
      cameraScale: 0.02,
      batchSize: 5000,
      concurrency: 4,
      pace: 'max',
    });
    expect(s.rain[0]!.counties).toHaveLength(9);
    expect(s.incidents[0]).toMatchObject({
      kind: 'gas_leak',
      atMs: 600_000,
      county: '500109',
      township: '500109001',
      durationMs: null,
      count: 1,
    });
    expect(s.departments.suspendShare).toBe(0.025);
  });

  it('lists every problem with its path and what to write instead', () => {
    const problems = problemsOf({
      name: 'My Drill',
      title: 'x',
      duration: 'two hours',
      speed: 0.5,
      fleet: { sensors: 10, cameras: 5 },
      weather: [{ kind: 'hail', counties: ['Atlantis'], start: '3h', end: '1h' }],
      incidents: [
        { kind: 'gas-leak', at: '10m' },
        { kind: 'gas_leak', county: '北碚区', township: '解放碑街道' },
      ],
      departments: { reworkShare: 2 },
    });
    const at = (p: string) => problems.find((x) => x.path === p)?.message;
    expect(at('name')).toMatch(/lower-case/);
    expect(at('duration')).toMatch(/"90s", "15m", "2h"/);
    expect(at('speed')).toMatch(/from 1 \(real time\).*"max"/);
    expect(at('fleet.sensors')).toMatch(/between 100 and 1000000/);
    expect(at('fleet.cameras')).toMatch(/unknown field; the fields here are sensors, cameraScale/);
    expect(at('weather[0].kind')).toMatch(/"rain"/);
    expect(at('weather[0].counties[0]')).toMatch(/not a county of Chongqing/);
    expect(at('weather[0].end')).toMatch(/after start/);
    expect(at('incidents[0].kind')).toMatch(/use one of water_main_burst, gas_leak/);
    expect(at('incidents[1].at')).toMatch(/is required/);
    expect(at('incidents[1].township')).toMatch(/not a town\/street of 500109/);
    expect(at('departments.reworkShare')).toMatch(/between 0 and 1/);
  });

  it('refuses what cannot be run: "max" without a duration, incidents after the end', () => {
    expect(problemsOf({ name: 'a', title: 'a', speed: 'max' })).toEqual([
      expect.objectContaining({
        path: 'speed',
        message: expect.stringMatching(/needs a duration/) as unknown,
      }),
    ]);
    expect(
      problemsOf({ name: 'a', title: 'a', duration: '1h', incidents: [{ kind: 'gas_leak', at: '2h' }] })[0],
    ).toMatchObject({ path: 'incidents[0].at', message: expect.stringMatching(/after the end/) as unknown });
  });

  it('names the file and the built-ins when it cannot read one', () => {
    expect(() => loadScenario('no-such-drill')).toThrow(
      /No built-in scenario is called "no-such-drill".*normal-day/,
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scenario-')), 'bad.json');
    fs.writeFileSync(file, '{"name": "x",');
    expect(() => loadScenario(file)).toThrow(new RegExp(`${file} is not valid JSON`));
  });
});

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['3d', 259_200_000],
    ['45', 45_000],
    [120, 120_000],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '2 hours', '-5m', '1m2h'])('refuses %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it('writes them short', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(259_200_000 + 3_600_000)).toBe('3d1h');
    expect(formatDuration(Infinity)).toBe('∞');
  });
});
