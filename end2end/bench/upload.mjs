// Upload benchmark: a 1 GiB file through the portal's page in Chromium
// against curl PUTting the same file to a presigned URL on the same
// embedded S3 endpoint, and the tab's memory while the browser uploads;
// then a 4 GiB file (BENCH_BIG_GIB) through the page, with the time the
// endpoint takes to complete it per GiB.
// Run by `make bench`, which builds the release binary and site first;
// BENCH_BUILD=debug measures the debug build `make run` uses instead.

import { chromium } from '@playwright/test';
import { spawn, execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileURLToPath } from 'url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MiB = 1024 * 1024;
const SIZE = 1024 * MiB;
const BIG_GIB = Number(process.env.BENCH_BIG_GIB ?? 4);
const BUILD = process.env.BENCH_BUILD === 'debug' ? 'debug' : 'release';
const binary = path.join(root, `target/${BUILD}/dataport`);
const siteRoot = BUILD === 'debug' ? 'target/site' : 'target/bench-site';
const port = 3119;
const s3Port = 9119;
const base = `http://127.0.0.1:${port}`;
const email = 'bench@example.com';
const password = 'a benchmark needs a password too';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dataport-bench-'));
const dataDir = path.join(work, 'data');
const file = path.join(work, 'upload-1gib.bin');

function writeRandomFile(target, size) {
  const fd = fs.openSync(target, 'w');
  for (let written = 0; written < size; written += 16 * MiB) fs.writeSync(fd, crypto.randomBytes(16 * MiB));
  fs.closeSync(fd);
}

/** Uploads `target` through the page; the seconds in all, and from the last part to "Finished". */
async function uploadThroughPage(page, target) {
  let parts = 0;
  let firstPart = 0;
  let lastPart = 0;
  const onRequest = (r) => {
    if (r.method() !== 'PUT' || !r.url().includes('partNumber=')) return;
    parts++;
    firstPart ||= performance.now();
  };
  const onFinished = (r) => {
    if (r.method() === 'PUT' && r.url().includes('partNumber=')) lastPart = performance.now();
  };
  page.on('request', onRequest);
  page.on('requestfinished', onFinished);
  await page.getByLabel('Files to upload').setInputFiles(target);
  const started = performance.now();
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  const status = page.getByRole('region', { name: 'Upload' }).getByRole('status');
  await status.filter({ hasText: /Finished: / }).waitFor({ timeout: 30 * 60_000 });
  const ended = performance.now();
  const text = await status.textContent();
  if (!text.includes('Finished: 1 uploaded.')) throw new Error(`the upload of ${path.basename(target)} ended with “${text}”`);
  page.off('request', onRequest);
  page.off('requestfinished', onFinished);
  await page.getByRole('button', { name: 'Clear finished' }).click();
  return {
    seconds: (ended - started) / 1000,
    planning: (firstPart - started) / 1000,
    sending: (lastPart - firstPart) / 1000,
    completing: (ended - lastPart) / 1000,
    parts,
  };
}

/** Resident memory of the browser's renderer processes (the page), in bytes. */
function rendererRss() {
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chromium') || !cmd.includes('--type=renderer')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // The process ended between listing and reading.
    }
  }
  return total;
}

/** CPU seconds used so far: the whole machine (busy, all cores) and per kind of process. */
function cpuTimes() {
  const tick = 100; // USER_HZ on Linux
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + fields[4];
  const busy = fields.reduce((a, b) => a + b, 0) - idle;
  const by = { renderer: 0, 'other Chromium processes': 0, dataport: 0 };
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const used = (Number(rest[11]) + Number(rest[12])) / tick;
      if (cmd.includes('chromium')) by[cmd.includes('--type=renderer') ? 'renderer' : 'other Chromium processes'] += used;
      else if (cmd.includes(`target/${BUILD}/dataport`)) by.dataport += used;
    } catch {
      // The process ended between listing and reading.
    }
  }
  return { busy: busy / tick, by };
}

function cpuReport(before, after, seconds) {
  const cores = (x) => (x / seconds).toFixed(2);
  const parts = Object.keys(after.by).map((k) => `${k} ${cores(after.by[k] - before.by[k])}`);
  return `${cores(after.busy - before.busy)} of ${os.cpus().length} cores busy (${parts.join(', ')})`;
}

async function waitForHealth() {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the portal did not start');
}

const mib = (bytes) => (bytes / MiB).toFixed(1);
const rate = (bytes, seconds) => bytes / MiB / seconds;

async function main() {
  process.stdout.write('Writing a 1 GiB file of random bytes… ');
  writeRandomFile(file, SIZE);
  console.log('done.');
  console.log(`Measuring the ${BUILD} build.`);
  const server = spawn(
    binary,
    ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--s3-listen', `127.0.0.1:${s3Port}`, '--site-root', siteRoot],
    {
      cwd: root,
      env: { ...process.env, RUST_LOG: 'warn', DATAPORT_SETUP_TOKEN: 'bench-setup-token' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  let browser;
  try {
    await waitForHealth();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ baseURL: base });
    const hydrated = () => page.waitForFunction(() => window.__dataport_hydrated === true, undefined, { timeout: 60_000 });
    await page.goto('/setup?token=bench-setup-token');
    await hydrated();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Confirm password').fill(password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('link', { name: 'Default' }).click();
    await page.waitForURL(/\/usecases\/[^/?]+$/);
    await page.goto(`${page.url()}/buckets/dataport-data`);
    await hydrated();

    // Idle: the bucket page loaded and settled.
    await page.waitForTimeout(3000);
    const idleSamples = [];
    for (let i = 0; i < 10; i++) {
      idleSamples.push(rendererRss());
      await page.waitForTimeout(100);
    }
    const idle = idleSamples.reduce((a, b) => a + b, 0) / idleSamples.length;
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rendererRss())), 100);

    const cpuBefore = cpuTimes();
    const one = await uploadThroughPage(page, file);
    const browserSeconds = one.seconds;
    const browserCpu = cpuReport(cpuBefore, cpuTimes(), browserSeconds);
    clearInterval(sampler);
    peak = Math.max(peak, rendererRss());

    // curl: one presigned PUT of the same file to the same endpoint.
    const env = Object.fromEntries(
      execFileSync(binary, ['s3-env', '--data-dir', dataDir, '--s3-listen', `127.0.0.1:${s3Port}`])
        .toString()
        .trim()
        .split('\n')
        .map((line) => line.split(/=(.*)/s).slice(0, 2)),
    );
    const presign = [
      'import boto3, os',
      'from botocore.config import Config',
      's3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL_S3"], region_name=os.environ["AWS_REGION"], config=Config(signature_version="s3v4"))',
      'print(s3.generate_presigned_url("put_object", Params={"Bucket": "dataport-data", "Key": "curl-1gib.bin"}, ExpiresIn=3600))',
    ].join('\n');
    const url = execFileSync(path.join(root, '.venv/bin/python'), ['-c', presign], { env: { ...process.env, ...env } })
      .toString()
      .trim();
    const [status, curlSeconds] = execFileSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '-T', file, url])
      .toString()
      .trim()
      .split(' ');
    if (status !== '200') throw new Error(`curl's PUT answered HTTP ${status}`);

    // The browser's own ceiling: one XHR PUT of the whole file to a presigned
    // URL, with no portal, parts or checksums involved.
    const rawPresigned = execFileSync(path.join(root, '.venv/bin/python'), ['-c', presign.replace('curl-1gib.bin', 'raw-1gib.bin')], {
      env: { ...process.env, ...env },
    })
      .toString()
      .trim();
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'bench-raw-file';
      document.body.append(input);
    });
    await page.locator('#bench-raw-file').setInputFiles(file);
    const rawPut = (sliced) =>
      page.evaluate(
        async ([target, sliced]) => {
          const picked = document.getElementById('bench-raw-file').files[0];
          const body = sliced ? picked.slice(0, picked.size) : picked;
          const t0 = performance.now();
          await new Promise((resolve, reject) => {
            const xhr = new XMLHttpRequest();
            xhr.open('PUT', target);
            xhr.onload = () => (xhr.status === 200 ? resolve() : reject(new Error(`HTTP ${xhr.status}`)));
            xhr.onerror = () => reject(new Error('network error'));
            xhr.send(body);
          });
          return (performance.now() - t0) / 1000;
        },
        [rawPresigned, sliced],
      );
    const rawSeconds = await rawPut(false);
    const sliceSeconds = await rawPut(true);

    const browserRate = rate(SIZE, browserSeconds);
    const curlRate = rate(SIZE, Number(curlSeconds));
    const ratio = browserRate / curlRate;
    const growth = peak - idle;
    const verdict = (ok) => (ok ? 'meets the target' : 'BELOW the target');
    console.log('');
    console.log(`Browser upload through the UI : 1024 MiB in ${browserSeconds.toFixed(1)} s = ${browserRate.toFixed(1)} MiB/s (${one.parts} part requests)`);
    console.log(`  of which: planning and first checksum ${one.planning.toFixed(1)} s, parts ${one.sending.toFixed(1)} s, completing ${one.completing.toFixed(1)} s`);
    console.log(`  CPU meanwhile: ${browserCpu}`);
    console.log(`curl PUT to a presigned URL   : 1024 MiB in ${Number(curlSeconds).toFixed(1)} s = ${curlRate.toFixed(1)} MiB/s`);
    console.log(`One XHR PUT from the page     : 1024 MiB in ${rawSeconds.toFixed(1)} s = ${rate(SIZE, rawSeconds).toFixed(1)} MiB/s (the browser's ceiling, no parts or checksums)`);
    console.log(`The same, of a Blob.slice     : 1024 MiB in ${sliceSeconds.toFixed(1)} s = ${rate(SIZE, sliceSeconds).toFixed(1)} MiB/s (slices are how parts are read)`);
    console.log(`Throughput ratio browser/curl : ${ratio.toFixed(2)} (target ≥ 0.80: ${verdict(ratio >= 0.8)})`);
    console.log(`Tab memory (renderer RSS)     : idle ${mib(idle)} MiB, peak ${mib(peak)} MiB, growth ${mib(growth)} MiB (target < 64 MiB: ${verdict(growth < 64 * MiB)})`);

    if (BIG_GIB > 0) {
      const big = path.join(work, `upload-${BIG_GIB}gib.bin`);
      fs.rmSync(file);
      process.stdout.write(`Writing a ${BIG_GIB} GiB file of random bytes… `);
      writeRandomFile(big, BIG_GIB * 1024 * MiB);
      console.log('done.');
      const r = await uploadThroughPage(page, big);
      console.log(`${BIG_GIB} GiB through the UI        : ${r.seconds.toFixed(1)} s = ${rate(BIG_GIB * 1024 * MiB, r.seconds).toFixed(1)} MiB/s (${r.parts} part requests)`);
      console.log(`  uploading parts ${(r.sending / BIG_GIB).toFixed(1)} s per GiB, completing ${(r.completing / BIG_GIB).toFixed(1)} s per GiB (${r.completing.toFixed(1)} s in all)`);
    }
  } finally {
    await browser?.close();
    server.kill('SIGINT');
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
