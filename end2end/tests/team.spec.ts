import { test, expect, Page } from '@playwright/test';
import { signIn, signInWith, password, waitForHydration } from './fixtures';

// An administrator brings in a partner and gives them one folder; the
// partner uses it; the administrator takes it back. In order.
test.describe.configure({ mode: 'serial' });

const partner = 'partner@acme.example';
const partnerPassword = 'the partner chose this one';
const location = 's3://dataport-data/partner-acme/uploads/';
let passwordLink = '';

/** The folder browser's address of `prefix`, in the bucket `url` shows. */
function inFolder(url: string, prefix: string) {
  const u = new URL(url);
  u.searchParams.set('prefix', prefix);
  return u.toString();
}

test.describe('before any script has loaded', () => {
  test.use({ javaScriptEnabled: false });

  test('a wrong password says so, the right one lands on the start page', async ({ page }) => {
    await signInWith(page, 'not the password at all');
    await expect(page.getByRole('alert')).toContainText('Email or password is incorrect');
    await signInWith(page, password);
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  });

  test('an administrator adds a partner and gives them one folder', async ({ page }) => {
    await signInWith(page, password);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Email', { exact: true }).fill(partner);
    await page.getByLabel('Display name').fill('Acme Imaging');
    await page.getByLabel('Role').selectOption({ label: 'Editor – list, read, write and delete where granted' });
    await page.getByRole('button', { name: 'Add user' }).click();

    await expect(page.getByRole('heading', { name: partner, level: 1 })).toBeVisible();
    passwordLink = await page.getByLabel('One-time password link').inputValue();
    expect(passwordLink).toMatch(/\/set-password\?token=[0-9a-f]{64}$/);
    await expect(page.getByText('Invited')).toBeVisible();

    await page.getByRole('link', { name: 'Add grant for this user' }).click();
    await expect(page.getByLabel('User')).toHaveValue(/.+/);
    await page.getByLabel('Bucket').selectOption('dataport-data');
    await page.getByLabel('Folder', { exact: true }).fill('partner-acme/uploads');
    await page.getByRole('checkbox', { name: 'Write' }).check();
    await page.getByRole('button', { name: 'Save grant' }).click();

    const grants = page.getByRole('table', { name: 'Grants' });
    const row = grants.getByRole('row').filter({ hasText: partner });
    await expect(row).toContainText(location);
    await expect(row).toContainText('List, Read, Write');
    await expect(row).toContainText('Active');
  });
});

test('the partner chooses a password, sees exactly their locations and uploads into theirs', async ({ page }) => {
  await page.goto(passwordLink);
  await waitForHydration(page);
  await expect(page.getByText(`Choose the password with which ${partner} signs in`)).toBeVisible();
  await page.getByLabel('Password', { exact: true }).fill(partnerPassword);
  await page.getByLabel('Confirm password').fill(partnerPassword);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();

  await expect(page.getByRole('heading', { name: 'My locations' })).toBeVisible();
  const cards = page.getByRole('list').getByRole('link');
  // Their grant, and their home in each usecase.
  await expect(cards.filter({ hasNotText: /^(My home in |Use with command-line tools)/ })).toHaveText([location]);
  await expect(page.getByRole('link', { name: 'My home in Default', exact: true })).toBeVisible();
  await page.getByRole('link', { name: location, exact: true }).click();
  await waitForHydration(page);
  await page.getByLabel('Files to upload').setInputFiles({ name: 'scan-001.txt', mimeType: 'text/plain', buffer: Buffer.from('scan') });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Upload' }).getByRole('status')).toHaveText('Finished: 1 uploaded.');
  await expect(page.getByRole('table', { name: 'Folders and files' }).getByRole('cell', { name: 'scan-001.txt', exact: true })).toBeVisible();
  // List, Read and Write: downloads, but no Delete anywhere.
  await expect(page.getByRole('link', { name: 'Download scan-001.txt' })).toBeVisible();
  await expect(page.getByRole('link', { name: /^Delete/ })).toHaveCount(0);

  // The folder beside it, typed as a URL.
  const sibling = page.url().replace('uploads', 'other');
  const response = await page.goto(sibling);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'You have no access to this location' })).toBeVisible();

  // The link opened the account once.
  const again = await page.context().browser()!.newPage();
  await again.goto(passwordLink);
  await expect(again.getByRole('alert')).toContainText('has been used');
  await again.close();
});

test('the administrator revokes the grant and the partner\'s next request is refused', async ({ page, browser }) => {
  const partnerPage: Page = await (await browser.newContext()).newPage();
  await partnerPage.goto('/sign-in');
  await waitForHydration(partnerPage);
  await partnerPage.getByLabel('Email').fill(partner);
  await partnerPage.getByLabel('Password').fill(partnerPassword);
  await partnerPage.getByRole('button', { name: 'Sign in' }).click();
  await partnerPage.getByRole('link', { name: location, exact: true }).click();
  await expect(partnerPage.getByRole('cell', { name: 'scan-001.txt', exact: true })).toBeVisible();

  await signIn(page);
  // The dashboard counts the partner's upload among today's.
  await page.getByRole('link', { name: 'Dashboard' }).click();
  const uploads = page.getByRole('table', { name: 'Actions in the last 24 hours and 7 days' }).getByRole('row', { name: /^Uploads/ });
  await expect(uploads).toHaveText(/Uploads\s*[1-9]\d*\s*[1-9]/);
  await expect(page.getByRole('img', { name: 'Events per day over the last 30 days, by outcome' })).toBeVisible();
  await page.getByRole('link', { name: 'Grants' }).click();
  await waitForHydration(page);
  await page.getByRole('button', { name: `Revoke grant of ${partner} on ${location}` }).click();
  await expect(page.getByText('No grants match these filters.')).toBeVisible();

  await partnerPage.reload();
  await expect(partnerPage.getByRole('heading', { name: 'You have no access to this location' })).toBeVisible();
  await partnerPage.goto('/');
  const left = partnerPage.getByRole('list').getByRole('link');
  await expect(partnerPage.getByRole('link', { name: 'My home in Default', exact: true })).toBeVisible();
  await expect(left.filter({ hasNotText: /^(My home in |Use with command-line tools)/ })).toHaveCount(0);

  // Their activity shows the upload and the refusals.
  await partnerPage.getByRole('link', { name: 'My activity' }).click();
  const events = partnerPage.getByRole('table', { name: 'Your events, newest first' });
  await expect(events.getByRole('row').filter({ hasText: 'object.upload' }).filter({ hasText: 'scan-001.txt' }).first()).toContainText('success');
  await expect(events.getByRole('row').filter({ hasText: 'object.list' }).filter({ hasText: 'denied' }).first()).toBeVisible();
});

test('an administrator uploads three files into a new folder', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Default' }).click();
  await page.getByRole('link', { name: 'dataport-data' }).click();
  await page.goto(inFolder(page.url(), 'batch-7/'));
  await waitForHydration(page);
  await page.getByLabel('Files to upload').setInputFiles(
    ['one', 'two', 'three'].map((n) => ({ name: `${n}.txt`, mimeType: 'text/plain', buffer: Buffer.from(n.repeat(100)) })),
  );
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Upload' }).getByRole('status')).toHaveText('Finished: 3 uploaded.');
});

test.describe('deleting, before any script has loaded', () => {
  test.use({ javaScriptEnabled: false });

  test('a folder of three files goes after a confirmation that counts them', async ({ page }) => {
    await signInWith(page, password);
    await page.getByRole('link', { name: 'Usecases' }).click();
    await page.getByRole('link', { name: 'Default' }).click();
    await page.getByRole('link', { name: 'dataport-data' }).click();
    await page.getByLabel('New folder name').fill('made-without-script');
    await page.getByRole('button', { name: 'Create folder' }).click();
    await expect(page.getByRole('table', { name: 'Folders and files' }).getByRole('link', { name: 'made-without-script/' })).toBeVisible();
    await page.getByRole('link', { name: 'Delete folder batch-7' }).click();
    await expect(page.getByRole('heading', { name: 'Delete batch-7/?' })).toBeVisible();
    await expect(page.getByText('3 objects (1.1 KiB) will be deleted from dataport-data.')).toBeVisible();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();

    const listing = page.getByRole('table', { name: 'Folders and files' });
    await expect(listing).toBeVisible();
    await expect(listing.getByRole('link', { name: 'batch-7/' })).toHaveCount(0);
    await page.goto(inFolder(page.url(), 'batch-7/'));
    await expect(page.getByText('This folder is empty.')).toBeVisible();
  });
});

test('an administrator picks a grant\'s folder in the folder browser', async ({ page }) => {
  await signIn(page);
  await page.goto('/grants/new');
  await waitForHydration(page);
  await page.getByLabel('Bucket').selectOption('dataport-data');
  await page.getByRole('button', { name: 'Pick in the folder browser' }).click();
  const browser = page.getByRole('group', { name: 'Folder browser' });
  await browser.getByRole('button', { name: 'Open folder partner-acme' }).click();
  await browser.getByRole('button', { name: 'Open folder uploads' }).click();
  await browser.getByRole('button', { name: 'Use this folder' }).click();
  await expect(page.getByLabel('Folder', { exact: true })).toHaveValue('partner-acme/uploads/');
});
