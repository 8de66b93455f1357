// The command line's fixed points (packaging/sockpit.1 and `sockpit --help`): --version,
// --help and each command's help work without a display, name the command, and exit 0;
// usage errors exit 2 with one line on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const binary = process.env.SOCKPIT_BINARY;

function run(args) {
  const env = { ...process.env };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  delete env.QT_QPA_PLATFORM;
  return spawnSync(binary, args, { encoding: 'utf8', timeout: 20000, env });
}

test('--version prints the name and version without a display', () => {
  const r = run(['--version']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^sockpit \d+\.\d+\.\d+ \(Qt 6\.\d+\.\d+\)\n$/);
});

test('--help lists every command without a display', () => {
  const r = run(['--help']);
  assert.equal(r.status, 0, r.stderr);
  for (const command of ['serve', 'connect', 'bench']) {
    assert.match(r.stdout, new RegExp(`sockpit ${command}`));
  }
});

for (const [command, usage] of [
  ['serve', 'Usage: sockpit serve [options]'],
  ['connect', 'Usage: sockpit connect [options] URL'],
  ['bench', 'Usage: sockpit bench [options] URL'],
]) {
  test(`${command} --help names the command, not the executable's path`, () => {
    const r = run([command, '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], usage);
    assert.doesNotMatch(r.stdout, /--help-all/);
  });

  test(`${command} with an unknown flag is a usage error on one line`, () => {
    const r = run([command, '--no-such-flag']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /no-such-flag/);
  });
}

test('an unknown command is a usage error on one line that names the commands', () => {
  const r = run(['frobnicate']);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /frobnicate/);
  for (const command of ['serve', 'connect', 'bench']) {
    assert.match(lines[0], new RegExp(`\\b${command}\\b`));
  }
});

test('an existing file in the command position is still a workspace, not a command', () => {
  // A platform plugin that does not exist stops the window right at its start: that it got
  // there shows the word was taken as a workspace and not refused as a command.
  const env = { ...process.env, QT_QPA_PLATFORM: 'sockpit-no-such-platform' };
  const r = spawnSync(binary, ['package.json'], { encoding: 'utf8', timeout: 20000, env });
  assert.doesNotMatch(r.stderr, /unknown command/);
  assert.match(r.stderr, /sockpit-no-such-platform/);
  assert.notEqual(r.status, 0);
});

test('the window starts and, for the cold-start benchmark, quits after its first paint', () => {
  const home = mkdtempSync(join(tmpdir(), 'sockpit-home-'));
  const env = { ...process.env, QT_QPA_PLATFORM: 'offscreen', SOCKPIT_QUIT_WHEN_SHOWN: '1',
    HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
  const started = Date.now();
  const r = spawnSync(binary, [], { encoding: 'utf8', timeout: 20000, env });
  rmSync(home, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.signal, null);
  // Bounded, not timed: it ends by itself (a hang would hit the 20 s timeout).
  assert.ok(Date.now() - started < 20000);
});
