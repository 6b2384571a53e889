import { test, expect, Page, Request, Route } from '@playwright/test';
import { openFolder, sha256, signIn, waitForHydration } from './fixtures';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

// Uploads through the page to the embedded S3 endpoint: batches, folders,
// drops, multipart with retries, resume after a reload, cancel, corruption.
test.describe.configure({ mode: 'serial' });

const dataDir = process.env.DATAPORT_E2E_DIR!;
const filesDir = process.env.DATAPORT_E2E_FILES!;
const MiB = 1024 * 1024;

async function openBucket(page: Page, prefix = '') {
  await signIn(page);
  await page.getByRole('link', { name: 'Default' }).click();
  await page.waitForURL(/\/usecases\/[^/?]+$/);
  const usecase = page.url().split('/usecases/')[1];
  await page.goto(`/usecases/${usecase}/buckets/dataport-data?prefix=${encodeURIComponent(prefix)}`);
  await expect(page.getByRole('heading', { name: 'dataport-data' })).toBeVisible();
  await waitForHydration(page);
}

/** A file on disk, so that picking it twice gives the same file (same modification time). */
function fileOnDisk(name: string, size: number) {
  const dir = fs.mkdtempSync(path.join(filesDir, 'upload-'));
  const file = path.join(dir, name);
  const bytes = crypto.randomBytes(size);
  fs.writeFileSync(file, bytes);
  return { file, bytes };
}

function partNumber(r: Request) {
  if (r.method() !== 'PUT') return null;
  const n = new URL(r.url()).searchParams.get('partNumber');
  return n === null ? null : Number(n);
}

async function download(page: Page, name: string) {
  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('link', { name: `Download ${name}` }).click();
  return fs.readFileSync(await (await downloadPromise).path());
}

function queue(page: Page) {
  return page.getByRole('table', { name: 'Upload queue' });
}

function listing(page: Page) {
  return page.getByRole('table', { name: 'Folders and files' });
}

function uploadRegion(page: Page) {
  return page.getByRole('region', { name: 'Upload' });
}

test('several files, a folder and a dropped file land under the destination with their paths', async ({ page }) => {
  await openBucket(page);
  const region = uploadRegion(page);
  const files = [0, 1, 2].map((i) => ({ name: `part-${i}.csv`, mimeType: 'text/csv', buffer: crypto.randomBytes(1000 + i) }));
  await page.getByLabel('Files to upload').setInputFiles(files);
  const tree = fs.mkdtempSync(path.join(filesDir, 'tree-'));
  fs.mkdirSync(path.join(tree, 'run1', 'logs'), { recursive: true });
  fs.writeFileSync(path.join(tree, 'run1', 'config.json'), '{"lr": 0.1}');
  fs.writeFileSync(path.join(tree, 'run1', 'logs', 'train.log'), 'epoch 1\n');
  await page.getByLabel('Folder to upload').setInputFiles(path.join(tree, 'run1'));
  // A file dropped on the panel joins the queue too.
  const transfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
    return dt;
  });
  await page.getByText('You can also drop files and folders here').dispatchEvent('drop', { dataTransfer: transfer });

  const queue = page.getByRole('table', { name: 'Upload queue' });
  await expect(queue.getByRole('row')).toHaveCount(1 + 6);
  await expect(queue.getByRole('cell', { name: 'run1/logs/train.log', exact: true })).toBeVisible();
  await page.getByLabel('Destination folder').fill('incoming/batch-1');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(region.getByRole('status')).toHaveText('Finished: 6 uploaded.');
  await expect(page.getByRole('progressbar', { name: 'Upload progress' })).toHaveAttribute('aria-valuenow', '100');
  await expect(page.getByRole('progressbar', { name: 'Progress of run1/logs/train.log' })).toHaveAttribute('value', '8');

  await page.getByRole('link', { name: 'incoming/' }).click();
  await page.getByRole('link', { name: 'batch-1/' }).click();
  await expect(listing(page).getByRole('cell', { name: 'dropped.txt', exact: true })).toBeVisible();
  await expect(listing(page).getByRole('cell', { name: 'part-2.csv', exact: true })).toBeVisible();
  expect(sha256(await download(page, 'part-2.csv'))).toBe(sha256(files[2].buffer));
  await page.getByRole('link', { name: 'run1/' }).click();
  await page.getByRole('link', { name: 'logs/' }).click();
  expect((await download(page, 'train.log')).toString()).toBe('epoch 1\n');

  // The same name again, keeping both: the new one gets a number.
  await page.getByRole('button', { name: 'Clear finished' }).click();
  await expect(page.getByRole('table', { name: 'Upload queue' })).toHaveCount(0);
  await page.getByLabel('Files to upload').setInputFiles({ name: 'train.log', mimeType: 'text/plain', buffer: Buffer.from('epoch 2\n') });
  await page.getByLabel('If a file already exists').selectOption({ label: 'Keep both (add a number)' });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(region.getByRole('status')).toHaveText('Finished: 1 uploaded.');
  await expect(listing(page).getByRole('cell', { name: 'train (1).log', exact: true })).toBeVisible();
  expect((await download(page, 'train.log')).toString()).toBe('epoch 1\n');
  // And skipping leaves the existing file alone.
  await page.getByRole('button', { name: 'Clear finished' }).click();
  await page.getByLabel('Files to upload').setInputFiles({ name: 'train.log', mimeType: 'text/plain', buffer: Buffer.from('epoch 3\n') });
  await page.getByLabel('If a file already exists').selectOption({ label: 'Skip the file' });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(region.getByRole('status')).toHaveText('Finished: 0 uploaded, 1 skipped.');
  expect((await download(page, 'train.log')).toString()).toBe('epoch 1\n');
});

test('a 64 MiB file goes in parts, failed parts are retried, and it comes back byte for byte', async ({ page }) => {
  await openBucket(page);
  const { file, bytes } = fileOnDisk('big.bin', 64 * MiB);
  const parts: number[] = [];
  page.on('request', (r) => {
    const n = partNumber(r);
    if (n !== null) parts.push(n);
  });
  // Parts 2 and 5 fail once: one with a lost connection, one with SlowDown.
  const failed = new Set<number>();
  await page.route(/partNumber=/, async (route: Route) => {
    const n = partNumber(route.request())!;
    if ((n === 2 || n === 5) && !failed.has(n)) {
      failed.add(n);
      if (n === 2) return route.abort('connectionreset');
      return route.fulfill({
        status: 503,
        headers: { 'Access-Control-Allow-Origin': new URL(page.url()).origin, 'Content-Type': 'application/xml' },
        body: '<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>',
      });
    }
    return route.continue();
  });
  await page.getByLabel('Files to upload').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  // The endpoint takes its time to assemble (the test portal delays it): the row says so, with a clock.
  const row = queue(page).getByRole('row', { name: /big\.bin/ });
  await expect(row).toContainText(/Completing… \([1-9]\d* s\)/, { timeout: 60_000 });
  await expect(row.getByRole('button', { name: 'Cancel big.bin' })).toHaveCount(0);
  await expect(uploadRegion(page).getByRole('status')).toHaveText('Finished: 1 uploaded.', { timeout: 60_000 });
  await page.unroute(/partNumber=/);
  expect([...failed].sort()).toEqual([2, 5]);
  // 8 parts of 8 MiB, two of them sent twice.
  expect(parts.length).toBe(10);
  expect(new Set(parts)).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8]));
  await expect(queue(page).getByRole('row', { name: /big\.bin/ })).toContainText('Done: 8 parts');
  expect(sha256(await download(page, 'big.bin'))).toBe(sha256(bytes));
});

test('pause holds every part, resume finishes, and the overall bar never goes back', async ({ page }) => {
  await openBucket(page);
  const { file, bytes } = fileOnDisk('pause.bin', 64 * MiB);
  const started: number[] = [];
  const finished = new Set<number>();
  page.on('request', (r) => {
    const n = partNumber(r);
    if (n !== null) started.push(n);
  });
  page.on('requestfinished', (r) => {
    const n = partNumber(r);
    if (n !== null) finished.add(n);
  });
  // Parts 3 and 6 fail once, so that retried bytes are counted too.
  const failed = new Set<number>();
  await page.route(/partNumber=/, async (route: Route) => {
    const n = partNumber(route.request())!;
    if ((n === 3 || n === 6) && !failed.has(n)) {
      failed.add(n);
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  await page.getByLabel('Files to upload').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  // Every value the overall bar takes, as the page shows it.
  await page.evaluate(() => {
    const seen: number[] = ((window as any).__progress_seen = []);
    const watch = () => {
      const bar = document.getElementById('upload-progress');
      if (!bar) return void setTimeout(watch, 10);
      seen.push(Number(bar.getAttribute('aria-valuenow')));
      new MutationObserver(() => seen.push(Number(bar.getAttribute('aria-valuenow')))).observe(bar, { attributes: true });
    };
    watch();
  });
  await expect.poll(() => finished.size, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const region = uploadRegion(page);
  await expect(region.getByRole('status')).toHaveText('Paused. Press Resume to continue.');
  await expect(queue(page).getByRole('row', { name: /pause\.bin/ })).toContainText('Paused');
  const whilePaused = started.length;
  await page.waitForTimeout(1500);
  expect(started.length).toBe(whilePaused);

  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(region.getByRole('status')).toHaveText('Finished: 1 uploaded.', { timeout: 60_000 });
  await page.unroute(/partNumber=/);
  const seen: number[] = await page.evaluate(() => (window as any).__progress_seen);
  expect(seen.length).toBeGreaterThan(3);
  for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  expect(seen[seen.length - 1]).toBe(100);
  expect(sha256(await download(page, 'pause.bin'))).toBe(sha256(bytes));
});

test('after a reload the same file resumes and only the missing parts are sent', async ({ page }) => {
  await openBucket(page);
  const { file, bytes } = fileOnDisk('resume.bin', 64 * MiB);
  // Parts 1 to 3 go through; the rest hang until the page is reloaded.
  const finished = new Set<number>();
  page.on('requestfinished', (r) => {
    const n = partNumber(r);
    if (n !== null) finished.add(n);
  });
  await page.route(/partNumber=/, async (route: Route) => {
    if (partNumber(route.request())! <= 3) return route.continue();
    // Never answered: the tab goes away first.
  });
  await page.getByLabel('Files to upload').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect.poll(() => finished.size, { timeout: 30_000 }).toBe(3);
  // Held requests die with the page; only then may requests pass again.
  await page.reload();
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await waitForHydration(page);

  const sent: number[] = [];
  page.on('request', (r) => {
    const n = partNumber(r);
    if (n !== null) sent.push(n);
  });
  await page.getByLabel('Files to upload').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(uploadRegion(page).getByRole('status')).toHaveText('Finished: 1 uploaded.', { timeout: 60_000 });
  await expect(queue(page).getByRole('row', { name: /resume\.bin/ })).toContainText('Done: 8 parts (3 were already on S3)');
  expect(sent.sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8]);
  expect(sha256(await download(page, 'resume.bin'))).toBe(sha256(bytes));
});

test('cancelling a multipart upload aborts it on S3', async ({ page }) => {
  await openBucket(page);
  const { file } = fileOnDisk('cancel.bin', 40 * MiB);
  const finished = new Set<number>();
  page.on('requestfinished', (r) => {
    const n = partNumber(r);
    if (n !== null) finished.add(n);
  });
  await page.route(/partNumber=/, async (route: Route) => {
    if (partNumber(route.request())! === 1) return route.continue();
  });
  await page.getByLabel('Files to upload').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect.poll(() => finished.size, { timeout: 30_000 }).toBe(1);
  const s3Dir = path.join(dataDir, 's3');
  const uploadFiles = () => fs.readdirSync(s3Dir).filter((f) => f.startsWith('.upload'));
  expect(uploadFiles().length).toBeGreaterThan(0);

  await page.getByRole('button', { name: 'Cancel cancel.bin' }).click();
  const row = queue(page).getByRole('row', { name: /cancel\.bin/ });
  await expect(row).toContainText('Cancelled: the parts sent were removed from S3');
  expect(uploadFiles()).toEqual([]);
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await expect(listing(page).getByRole('cell', { name: 'cancel.bin', exact: true })).toHaveCount(0);
});

test('a part corrupted on the way is refused by S3 and the file is reported failed', async ({ page }) => {
  await openBucket(page);
  const { file } = fileOnDisk('corrupt.bin', 20 * MiB);
  await page.route(/partNumber=2/, async (route: Route) => {
    const body = route.request().postDataBuffer()!;
    body[1000] ^= 0xff;
    return route.continue({ postData: body });
  });
  await page.getByLabel('Files to upload').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  const row = queue(page).getByRole('row', { name: /corrupt\.bin/ });
  await expect(row).toContainText('Failed: part 2: S3 refused the bytes because their checksum did not match (BadDigest)');
  await expect(uploadRegion(page).getByRole('status')).toHaveText('Finished: 0 uploaded, 1 failed.');
  // Without the corruption, Retry finishes the same upload.
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.getByRole('button', { name: 'Retry corrupt.bin' }).click();
  await expect(uploadRegion(page).getByRole('status')).toHaveText('Finished: 1 uploaded.', { timeout: 60_000 });
});

test('a part that keeps failing fails its file with the reason, and Retry continues', async ({ page }) => {
  await openBucket(page);
  const { file, bytes } = fileOnDisk('flaky.bin', 20 * MiB);
  let attempts = 0;
  await page.route(/partNumber=2/, async (route: Route) => {
    attempts++;
    return route.abort('connectionreset');
  });
  await page.getByLabel('Files to upload').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  const row = queue(page).getByRole('row', { name: /flaky\.bin/ });
  await expect(row).toContainText('Failed: part 2 failed 5 times', { timeout: 45_000 });
  await expect(row).toContainText('Press Retry to continue where it stopped');
  expect(attempts).toBe(5);
  await page.unroute(/partNumber=2/);
  await page.getByRole('button', { name: 'Retry flaky.bin' }).click();
  await expect(uploadRegion(page).getByRole('status')).toHaveText('Finished: 1 uploaded.', { timeout: 60_000 });
  expect(sha256(await download(page, 'flaky.bin'))).toBe(sha256(bytes));
});

test('an upload goes on while the person opens other pages, and the header shows it', async ({ page }) => {
  await openFolder(page, 'travel/');
  // Each part waits, so that the upload is still going when the person moves on.
  await page.route(/partNumber=/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  const bytes = Buffer.alloc(40 * 1024 * 1024, 7);
  await page.getByLabel('Files to upload').setInputFiles({ name: 'long trip.bin', mimeType: 'application/octet-stream', buffer: bytes });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My activity' }).click();
  await expect(page.getByRole('heading', { name: 'My activity' })).toBeVisible();
  const indicator = page.getByRole('group', { name: 'Uploads in progress' });
  await expect(indicator.getByRole('progressbar', { name: 'Progress of all uploads' })).toBeVisible();
  await expect(indicator).toContainText('Uploading: 0 of 1 files done');

  // Its link leads back to the folder, where the queue goes on and the listing shows the file once it lands.
  await indicator.getByRole('link').click();
  await expect(page.getByRole('table', { name: 'Upload queue' }).getByRole('row', { name: /long trip\.bin/ })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Upload' }).getByRole('status')).toHaveText('Finished: 1 uploaded.', { timeout: 60_000 });
  await expect(page.getByRole('table', { name: 'Folders and files' }).getByRole('link', { name: 'long trip.bin', exact: true })).toBeVisible();
  await expect(indicator).toBeHidden();
  await page.unroute(/partNumber=/);
});
