import { test, expect } from '@playwright/test';
import * as fs from 'fs';
import { signInWith, password, waitForHydration } from './fixtures';

// An administrator shares a file and a folder; a visitor without an
// account opens each link before any script has loaded.
test.describe.configure({ mode: 'serial' });
test.use({ javaScriptEnabled: false });

let fileLink = '';
let folderLink = '';

test('an administrator shares a file once and a folder', async ({ page }) => {
  await signInWith(page, password);
  await page.getByRole('link', { name: 'Usecases' }).click();
  await page.getByRole('link', { name: 'Default' }).click();
  await page.getByRole('link', { name: 'dataport-data' }).click();
  await page.getByRole('link', { name: 'Share sample.bin' }).click();
  await expect(page.getByRole('heading', { name: 'Share s3://dataport-data/sample.bin' })).toBeVisible();
  await page.getByLabel('Most downloads (optional)').fill('1');
  await page.getByRole('button', { name: 'Create link' }).click();
  await expect(page.getByRole('heading', { name: 'Shared links', level: 1 })).toBeVisible();
  fileLink = await page.getByLabel('Share link').inputValue();
  expect(fileLink).toMatch(/\/s\/[0-9a-f]{64}$/);
  await expect(page.getByRole('row', { name: /sample\.bin/ })).toContainText('0 of 1');

  await page.getByRole('link', { name: 'Usecases' }).click();
  await page.getByRole('link', { name: 'Default' }).click();
  await page.getByRole('link', { name: 'dataport-data' }).click();
  await page.getByLabel('New folder name').fill('shared-reports');
  await page.getByRole('button', { name: 'Create folder' }).click();
  await page.getByRole('link', { name: 'Share folder shared-reports' }).click();
  await page.getByLabel('Password (optional)').fill('a shared secret');
  await page.getByRole('button', { name: 'Create link' }).click();
  folderLink = await page.getByLabel('Share link').inputValue();
});

test('a visitor without an account downloads the file once', async ({ browser }) => {
  const visitor = await browser.newContext({ javaScriptEnabled: false });
  const page = await visitor.newPage();
  await page.goto(fileLink);
  await expect(page.getByRole('heading', { name: 'Shared file' })).toBeVisible();
  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download sample.bin' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe('sample.bin');
  // Its one download is spent: the link opens nothing any more.
  await page.goto(fileLink);
  await expect(page.getByRole('alert')).toHaveText('This link does not exist, has expired or was revoked.');
  await expect(page.getByRole('button', { name: 'Download sample.bin' })).toHaveCount(0);
  await visitor.close();
});

test('a visitor gives the folder link its password and sees the folder', async ({ browser }) => {
  const visitor = await browser.newContext({ javaScriptEnabled: false });
  const page = await visitor.newPage();
  await page.goto(folderLink);
  await expect(page.getByText('This link has a password')).toBeVisible();
  await page.getByLabel('Password').fill('not the secret');
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await page.goto(folderLink);
  await page.getByLabel('Password').fill('a shared secret');
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('heading', { name: 'Shared folder shared-reports' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Shared files' })).toBeVisible();
  await visitor.close();
});

test('a visitor drops a file into a folder through an upload-only link and sees nothing of it', async ({ page, browser }) => {
  await signInWith(page, password);
  await page.getByRole('link', { name: 'Usecases' }).click();
  await page.getByRole('link', { name: 'Default' }).click();
  await page.getByRole('link', { name: 'dataport-data' }).click();
  await page.getByRole('link', { name: 'Share folder shared-reports' }).click();
  await page.getByLabel('Upload only').check();
  await page.getByRole('button', { name: 'Create link' }).click();
  const dropLink = await page.getByLabel('Share link').inputValue();
  await expect(page.getByRole('row', { name: /upload only/ })).toContainText('Active');

  // Uploading needs the page's script; this file's other pages run without it.
  const visitor = await browser.newContext({ javaScriptEnabled: true });
  const guest = await visitor.newPage();
  await guest.goto(dropLink);
  await expect(guest.getByRole('heading', { name: 'Upload files to shared-reports' })).toBeVisible();
  await expect(guest.getByRole('table')).toHaveCount(0);
  await waitForHydration(guest);
  await guest.getByLabel('Files to upload').setInputFiles({ name: 'dropped.txt', mimeType: 'text/plain', buffer: Buffer.from('from a visitor') });
  await guest.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(guest.getByRole('region', { name: 'Upload' }).getByRole('status')).toHaveText('Finished: 1 uploaded.');
  await visitor.close();

  await page.getByRole('link', { name: 'Usecases' }).click();
  await page.getByRole('link', { name: 'Default' }).click();
  await page.getByRole('link', { name: 'dataport-data' }).click();
  await page.getByRole('link', { name: 'shared-reports/' }).click();
  await expect(page.getByRole('cell', { name: 'dropped.txt', exact: true })).toBeVisible();
});

test('picked files and a whole folder download as zip archives before any script has loaded', async ({ page }) => {
  await signInWith(page, password);
  await page.getByRole('link', { name: 'Usecases' }).click();
  await page.getByRole('link', { name: 'Default' }).click();
  await page.getByRole('link', { name: 'dataport-data' }).click();
  await page.getByLabel('Select sample.bin', { exact: true }).check();
  const picked = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download selected as zip' }).click();
  const archive = await picked;
  expect(archive.suggestedFilename()).toBe('dataport-data.zip');
  const bytes = fs.readFileSync(await archive.path());
  expect(bytes.subarray(0, 4).toString('binary')).toBe('PK\x03\x04');
  expect(bytes.includes(Buffer.from('sample.bin'))).toBe(true);
  expect(bytes.includes(Buffer.from('dropped.txt'))).toBe(false);

  await page.getByRole('link', { name: 'shared-reports/' }).click();
  const whole = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download folder as zip' }).click();
  const folder = await whole;
  expect(folder.suggestedFilename()).toBe('shared-reports.zip');
  const entries = fs.readFileSync(await folder.path());
  expect(entries.includes(Buffer.from('dropped.txt'))).toBe(true);
});
