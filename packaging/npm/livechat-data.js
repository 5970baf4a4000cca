#!/usr/bin/env node
// The `livechat-data` command of the npm package: finds the binary in the package
// of this platform (an optionalDependency, as esbuild and Biome ship theirs: npm
// installs only the one whose `os`, `cpu` and `libc` match) and runs it with the
// same arguments, standard streams and exit status. Nothing is downloaded.
//
// LIVECHAT_DATA_BINARY, when set, names the binary to run instead (a build from
// source on a platform without a package).
'use strict';

const path = require('node:path');
const childProcess = require('node:child_process');

// platform-arch-libc -> the package holding the binary.
const PACKAGES = {
  'linux-x64-glibc': '@livechat-data/linux-x64',
};

function libc() {
  if (process.platform !== 'linux') return '';
  // Node reports the glibc it runs on; musl (Alpine) has none.
  const report = process.report && process.report.getReport();
  return report && report.header && report.header.glibcVersionRuntime ? 'glibc' : 'musl';
}

function fail(message) {
  process.stderr.write(`livechat-data: ${message}\n`);
  process.exit(2);
}

function binaryPath() {
  if (process.env.LIVECHAT_DATA_BINARY) return process.env.LIVECHAT_DATA_BINARY;
  const platform = [process.platform, process.arch, libc()].filter(Boolean).join('-');
  const pkg = PACKAGES[platform];
  if (!pkg) {
    fail(
      `no prebuilt binary for this platform (${platform}).\n` +
        `Supported: ${Object.keys(PACKAGES).join(', ')} (glibc 2.31 or newer: Debian 11+, Ubuntu 20.04+).\n` +
        'Build it from source with a Rust toolchain instead:\n' +
        '  cargo install --git https://github.com/livechat-data/livechat-data livechat-cli\n' +
        'and set LIVECHAT_DATA_BINARY to the binary to run it through this command.',
    );
  }
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'livechat-data');
  } catch {
    return fail(
      `the package ${pkg}, which holds the binary for ${platform}, is not installed.\n` +
        'npm skips optional dependencies with --omit=optional or --no-optional: install again without it,\n' +
        `  npm install -g livechat-data\n` +
        `or install both packages yourself: npm install -g ${pkg} livechat-data`,
    );
  }
}

const binary = binaryPath();
const result = childProcess.spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
if (result.error) {
  fail(`cannot run ${binary}: ${result.error.message}`);
}
if (result.signal) {
  // Die of the same signal, as a shell would report it.
  process.kill(process.pid, result.signal);
}
process.exit(result.status === null ? 2 : result.status);
