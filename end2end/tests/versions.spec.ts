import { test, expect, Page } from '@playwright/test';
import { signInWith, password, openFolder, upload } from './fixtures';
import * as fs from 'fs';

// Versions and recovery: the bucket the portal made keeps every version, so
// an overwritten file's first version comes back, and a deleted file is
// found under "Show deleted files" and restored (that form without script).
test.describe.configure({ mode: 'serial' });

function text(name: string, body: string) {
  return { name, mimeType: 'text/plain', buffer: Buffer.from(body) };
}

async function saved(page: Page, click: () => Promise<void>) {
  const download = page.waitForEvent('download');
  await click();
  return fs.readFileSync(await (await download).path(), 'utf8');
}

test('a file overwritten, its first version restored, the content matches the first', async ({ page }) => {
  await openFolder(page, 'history/');
  await upload(page, [text('notes.txt', 'first draft\n')]);
  await page.getByRole('button', { name: 'Clear finished' }).click();
  await upload(page, [text('notes.txt', 'second draft, longer\n')]);
  await page.getByRole('table', { name: 'Folders and files' }).getByRole('link', { name: 'notes.txt', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Preview' })).toContainText('second draft');
  const versions = page.getByRole('table', { name: 'Versions' });
  await expect(versions.getByRole('rowheader', { name: /^Version 2 \(latest\)/ })).toBeVisible();
  expect(await saved(page, () => versions.getByRole('link', { name: 'Download version 1' }).click())).toBe('first draft\n');

  await versions.getByRole('button', { name: 'Restore version 1' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored' })).toContainText('that version is now the latest');
  await expect(versions.getByRole('rowheader', { name: /^Version 3 \(latest\)/ })).toBeVisible();
  await expect(versions.getByRole('rowheader', { name: /^Version 2/ })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Preview' })).toContainText('first draft');
  const download = page.getByRole('group', { name: 'File actions' }).getByRole('link', { name: 'Download' });
  expect(await saved(page, () => download.click())).toBe('first draft\n');
});

test('a deleted file is shown under Show deleted files and restored', async ({ page, browser }) => {
  await openFolder(page, 'history/');
  await upload(page, [text('old plan.txt', 'the plan as it was\n')]);
  await page.getByRole('checkbox', { name: 'Select old plan.txt' }).click();
  await page.getByRole('button', { name: 'Delete selected' }).click();
  await expect(page.getByText('so this can be undone')).toBeVisible();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const listing = page.getByRole('table', { name: 'Folders and files' });
  await expect(listing.getByRole('link', { name: 'notes.txt', exact: true })).toBeVisible();
  await expect(listing.getByRole('link', { name: 'old plan.txt', exact: true })).toHaveCount(0);

  await page.getByRole('link', { name: 'Show deleted files' }).click();
  const deleted = page.getByRole('table', { name: 'Deleted files' });
  await expect(deleted.getByRole('row').filter({ hasText: 'old plan.txt' })).toContainText('19 bytes');

  // Restored with a plain form, before any script has loaded.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const noScript = await plain.newPage();
  await signInWith(noScript, password);
  await noScript.goto(page.url());
  await noScript.getByRole('button', { name: 'Restore old plan.txt' }).click();
  await expect(noScript.getByRole('table', { name: 'Deleted files' }).getByRole('row').filter({ hasText: 'old plan.txt' })).toHaveCount(0);
  await noScript.getByRole('link', { name: 'Show current files' }).click();
  const back = noScript.getByRole('table', { name: 'Folders and files' });
  await expect(back.getByRole('link', { name: 'old plan.txt', exact: true })).toBeVisible();
  expect(await saved(noScript, () => back.getByRole('link', { name: 'Download old plan.txt' }).click())).toBe('the plan as it was\n');
  await plain.close();
});
