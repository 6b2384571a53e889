import { test, expect } from '@playwright/test';
import { signInWith, password, waitForHydration, openFolder, upload } from './fixtures';

const viewer = 'viewer@lab.example';
const viewerPassword = 'the viewer picked this';
let viewerLink = '';
import * as fs from 'fs';

// The folder browser as a data person uses it: files opened with a
// preview, several rows picked with shift-click and deleted, a search that
// finds a file three folders down, and the listing without any script.
test.describe.configure({ mode: 'serial' });

// A 1×1 PNG.
const pixel = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const people = 'name,city\nAda,London\n"Grace, R.",Arlington\n';

test('an image and a CSV file open with a preview and their S3 URI', async ({ page }) => {
  await openFolder(page, 'gallery/');
  await upload(page, [
    { name: 'pixel.png', mimeType: 'image/png', buffer: pixel },
    { name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(people) },
  ]);
  const listing = page.getByRole('table', { name: 'Folders and files' });
  await listing.getByRole('link', { name: 'people.csv', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'people.csv' })).toBeVisible();
  await expect(page.getByLabel('S3 URI')).toHaveValue('s3://dataport-data/gallery/people.csv');
  const table = page.getByRole('table', { name: 'Table preview' });
  await expect(table.getByRole('columnheader', { name: 'city' })).toBeVisible();
  await expect(table.getByRole('cell', { name: 'Grace, R.' })).toBeVisible();

  await page.getByRole('link', { name: 'Back to the folder' }).click();
  await listing.getByRole('link', { name: 'pixel.png', exact: true }).click();
  const image = page.getByRole('img', { name: 'Preview of the image' });
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
});

test('the grid shows images by small thumbnails the server made', async ({ page }) => {
  await openFolder(page, 'gallery/');
  await page.getByRole('link', { name: 'Grid view' }).click();
  const grid = page.getByRole('list', { name: 'Folders and files' });
  const thumb = grid.getByRole('img', { name: 'Thumbnail of pixel.png' });
  await expect(thumb).toBeVisible();
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  expect(await thumb.getAttribute('src')).toContain('/thumbnail?key=gallery%2Fpixel.png');
  // A CSV has no thumbnail; its cell opens its details like the list does.
  await expect(grid.getByRole('img', { name: 'Thumbnail of people.csv' })).toHaveCount(0);
  // Cells are picked like rows: the zip holds what was ticked.
  await grid.getByRole('checkbox', { name: 'Select people.csv' }).check();
  const zipped = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download selected as zip' }).click();
  const zip = fs.readFileSync(await (await zipped).path());
  // A zip names its entries in plain bytes: the ticked file is in, the other is not.
  expect(zip.includes('people.csv')).toBe(true);
  expect(zip.includes('pixel.png')).toBe(false);
  await grid.getByRole('link', { name: 'people.csv', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'people.csv' })).toBeVisible();
});

test('three rows picked with a click and a shift-click go after the confirmation', async ({ page }) => {
  await openFolder(page, 'gallery/old/');
  await upload(page, ['a', 'b', 'c', 'd'].map((n) => ({ name: `${n}.txt`, mimeType: 'text/plain', buffer: Buffer.from(n) })));
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByRole('button', { name: 'Delete selected' })).toBeDisabled();
  await page.getByRole('checkbox', { name: 'Select a.txt' }).click();
  await page.getByRole('checkbox', { name: 'Select c.txt' }).click({ modifiers: ['Shift'] });
  await expect(page.getByRole('group', { name: 'Selection actions' }).getByRole('status')).toHaveText('3 selected');
  await expect(page.getByRole('checkbox', { name: 'Select b.txt' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Select d.txt' })).not.toBeChecked();
  await page.getByRole('button', { name: 'Delete selected' }).click();
  await expect(page.getByText('3 objects (3 bytes) will be deleted from dataport-data.')).toBeVisible();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const listing = page.getByRole('table', { name: 'Folders and files' });
  await expect(listing.getByRole('link', { name: 'd.txt', exact: true })).toBeVisible();
  for (const gone of ['a.txt', 'b.txt', 'c.txt']) {
    await expect(listing.getByRole('link', { name: gone, exact: true })).toHaveCount(0);
  }
});

test('a search from the bucket finds a file three folders down', async ({ page }) => {
  await openFolder(page, 'gallery/deep/er/est/');
  await upload(page, [{ name: 'Needle-Report.txt', mimeType: 'text/plain', buffer: Buffer.from('found me') }]);
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'dataport-data' }).click();
  await page.getByLabel('Search this folder and below').fill('needle');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'keys looked at' })).toContainText('1 found');
  const found = page.getByRole('table', { name: 'Files found' });
  await expect(found.getByRole('link', { name: 'gallery/deep/er/est/', exact: true })).toBeVisible();
  await found.getByRole('link', { name: 'Needle-Report.txt', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Preview' })).toContainText('found me');
});

test('files found by a search are selected and deleted like listing rows', async ({ page }) => {
  await openFolder(page, 'gallery/far/away/');
  await upload(page, ['selectme-1.txt', 'selectme-2.txt'].map((n) => ({ name: n, mimeType: 'text/plain', buffer: Buffer.from(n) })));
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'gallery' }).click();
  await page.getByLabel('Search this folder and below').fill('selectme');
  await page.getByRole('button', { name: 'Search' }).click();
  const found = page.getByRole('table', { name: 'Files found' });
  await expect(page.getByRole('status').filter({ hasText: 'keys looked at' })).toContainText('2 found');
  await found.getByRole('checkbox', { name: 'Select gallery/far/away/selectme-1.txt' }).check();
  await found.getByRole('checkbox', { name: 'Select gallery/far/away/selectme-2.txt' }).check();
  await page.getByRole('form', { name: 'Search results' }).getByRole('button', { name: 'Delete selected' }).click();
  await expect(page.getByText('2 objects (28 bytes) will be deleted from dataport-data.')).toBeVisible();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Folders and files' })).toBeVisible();
  await page.getByLabel('Search this folder and below').fill('selectme');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'keys looked at' })).toContainText('0 found');
});

test('the keyboard moves between rows, selects with Space and opens with Enter', async ({ page }) => {
  await openFolder(page, 'gallery/');
  const first = page.getByRole('checkbox', { name: 'Select people.csv' });
  await first.focus();
  await page.keyboard.press('ArrowDown');
  const second = page.getByRole('checkbox', { name: 'Select pixel.png' });
  await expect(second).toBeFocused();
  await page.keyboard.press('Space');
  await expect(second).toBeChecked();
  await expect(page.getByRole('group', { name: 'Selection actions' }).getByRole('status')).toHaveText('1 selected');
  await page.keyboard.press('ArrowUp');
  await expect(first).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'people.csv' })).toBeVisible();
});

test('files dropped on the listing land in the folder shown', async ({ page }) => {
  await openFolder(page, 'gallery/drops/');
  const transfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['dropped on the listing'], 'landed.txt', { type: 'text/plain' }));
    return dt;
  });
  await page.getByText('This folder is empty.').dispatchEvent('drop', { dataTransfer: transfer });
  await expect(page.getByRole('region', { name: 'Upload' }).getByRole('status')).toHaveText('Finished: 1 uploaded.');
  const listing = page.getByRole('table', { name: 'Folders and files' });
  await expect(listing.getByRole('link', { name: 'landed.txt', exact: true })).toBeVisible();
  // The queue folds away once its work is done.
  await page.getByRole('button', { name: 'Hide the queue' }).click();
  await expect(page.getByRole('table', { name: 'Upload queue' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Show the queue' })).toHaveAttribute('aria-expanded', 'false');
});

test.describe('without script', () => {
  test.use({ javaScriptEnabled: false });

  test('an administrator gives a viewer read access to the gallery', async ({ page }) => {
    await signInWith(page, password);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Email', { exact: true }).fill(viewer);
    await page.getByLabel('Display name').fill('Lab viewer');
    await page.getByLabel('Role').selectOption({ label: 'Viewer – list and read where granted' });
    await page.getByRole('button', { name: 'Add user' }).click();
    viewerLink = await page.getByLabel('One-time password link').inputValue();
    await page.getByRole('link', { name: 'Add grant for this user' }).click();
    await page.getByLabel('Bucket').selectOption('dataport-data');
    await page.getByLabel('Folder', { exact: true }).fill('gallery');
    await page.getByRole('button', { name: 'Save grant' }).click();
    await expect(page.getByRole('table', { name: 'Grants' }).getByRole('row').filter({ hasText: viewer })).toContainText('List, Read');
  });
});

test('a viewer sees no Upload, New folder or Delete, and downloads', async ({ page }) => {
  await page.goto(viewerLink);
  await waitForHydration(page);
  await page.getByLabel('Password', { exact: true }).fill(viewerPassword);
  await page.getByLabel('Confirm password').fill(viewerPassword);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await page.getByRole('link', { name: 's3://dataport-data/gallery/', exact: true }).click();
  await waitForHydration(page);
  const listing = page.getByRole('table', { name: 'Folders and files' });
  await expect(listing.getByRole('link', { name: 'Download people.csv' })).toBeVisible();
  // The bucket's top is above the viewer's grant: named, not linked.
  const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
  await expect(crumbs).toContainText('dataport-data / gallery');
  await expect(crumbs.getByRole('link', { name: 'dataport-data' })).toHaveCount(0);
  await expect(page.getByLabel('Files to upload')).toHaveCount(0);
  await expect(page.getByLabel('New folder name')).toHaveCount(0);
  await expect(page.getByRole('link', { name: /^Delete/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Delete selected' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Download selected as zip' })).toBeDisabled();
});

test.describe('before any script has loaded', () => {
  test.use({ javaScriptEnabled: false });

  test('the listing opens folders and its download links send the file', async ({ page }) => {
    await signInWith(page, password);
    await page.getByRole('link', { name: 'Usecases' }).click();
    await page.getByRole('link', { name: 'Default' }).click();
    await page.getByRole('link', { name: 'dataport-data' }).click();
    await page.getByRole('link', { name: 'gallery/', exact: true }).click();
    await expect(page.getByRole('link', { name: 'Delete folder old' })).toBeVisible();
    const downloaded = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download people.csv' }).click();
    const saved = fs.readFileSync(await (await downloaded).path(), 'utf8');
    expect(saved).toBe(people);
  });
});
