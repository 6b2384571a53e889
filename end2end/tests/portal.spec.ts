import { test, expect } from '@playwright/test';
import { email, password, setupLink, sha256, signInWith, waitForHydration } from './fixtures';
import * as crypto from 'crypto';
import * as fs from 'fs';

// The story of one newcomer, in order: each step starts where the last ended.
test.describe.configure({ mode: 'serial' });

test('a newcomer creates the first administrator through the setup link the server printed', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: 'Set up Dataport' })).toBeVisible();
  await expect(page.getByText('one-time setup link')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create administrator' })).toHaveCount(0);
  await page.goto(setupLink);
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('heading', { name: 'Usecases' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Default' })).toBeVisible();
});

test('a wrong password gets one clear message, the right one signs in', async ({ page }) => {
  await page.goto('/sign-in');
  await waitForHydration(page);
  await signInWith(page, 'not the password at all');
  await expect(page.getByRole('alert')).toContainText('Email or password is incorrect');
  await expect(page).toHaveURL(/\/sign-in$/);

  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page.getByRole('banner').getByText(email)).toBeVisible();
});

test('the site\'s script, WASM and styles are named by content, compressed and cached for a year', async ({ page }) => {
  const site: { url: string; cache: string; encoding: string }[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/pkg/')) {
      const h = r.headers();
      site.push({ url: r.url(), cache: h['cache-control'] ?? '', encoding: h['content-encoding'] ?? '' });
    }
  });
  await page.goto('/sign-in');
  await waitForHydration(page);
  const names = [...new Set(site.map((f) => new URL(f.url).pathname))];
  const byKind = (ext: string) => names.filter((n) => n.endsWith(ext));
  for (const ext of ['.js', '.wasm', '.css']) {
    expect(byKind(ext), ext).toEqual([expect.stringMatching(/^\/pkg\/dataport\.[\w-]{22}\.(js|wasm|css)$/)]);
  }
  expect(names).toHaveLength(3);
  for (const f of site) {
    expect(f.cache, f.url).toBe('public, max-age=31536000, immutable');
    expect(f.encoding, f.url).toMatch(/^(br|gzip)$/);
  }
  const page_cache = (await page.request.get('/sign-in')).headers()['cache-control'];
  expect(page_cache).toBe('no-store');
});

test('a file goes straight to S3 with progress, and comes back byte for byte', async ({ page }) => {
  await page.goto('/sign-in');
  await waitForHydration(page);
  await signInWith(page, password);
  await page.getByRole('link', { name: 'Usecases' }).click();
  await page.getByRole('link', { name: 'Default' }).click();
  await page.getByRole('link', { name: 'dataport-data' }).click();
  await expect(page.getByRole('heading', { name: 'dataport-data' })).toBeVisible();
  await waitForHydration(page);

  const bytes = crypto.randomBytes(3 * 1024 * 1024 + 17);
  const putsToS3: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'PUT') putsToS3.push(r.url());
  });
  await page.getByLabel('Files to upload').setInputFiles({ name: 'sample.bin', mimeType: 'application/octet-stream', buffer: bytes });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();

  const bar = page.getByRole('progressbar', { name: 'Upload progress' });
  await expect(bar).toHaveAttribute('aria-valuenow', '100');
  await expect(page.getByRole('region', { name: 'Upload' }).getByRole('status')).toHaveText('Finished: 1 uploaded.');
  // The browser sent the bytes to the S3 endpoint, not to the portal.
  expect(putsToS3).toHaveLength(1);
  expect(putsToS3[0]).toContain('127.0.0.1:9107/dataport-data/sample.bin');

  await expect(page.getByRole('table', { name: 'Folders and files' }).getByRole('cell', { name: 'sample.bin', exact: true })).toBeVisible();
  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download sample.bin' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe('sample.bin');
  const saved = fs.readFileSync(await download.path());
  expect(sha256(saved)).toBe(sha256(bytes));
});

test('the audit page shows what happened and filters it', async ({ page }) => {
  await page.goto('/sign-in');
  await waitForHydration(page);
  await signInWith(page, password);
  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Events, newest first' });
  for (const action of ['setup.first_admin', 'auth.sign_in', 'object.upload', 'object.download']) {
    await expect(table.getByRole('cell', { name: action, exact: true }).first()).toBeVisible();
  }

  await page.getByLabel('Outcome').selectOption('denied');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/outcome=denied/);
  const outcomes = await table.locator('tbody tr td:nth-child(5)').allTextContents();
  expect(outcomes.length).toBeGreaterThan(0);
  expect(new Set(outcomes)).toEqual(new Set(['denied']));
  await expect(table.getByRole('cell', { name: 'auth.sign_in', exact: true }).first()).toBeVisible();

  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const csv = fs.readFileSync(await (await downloadPromise).path(), 'utf8');
  expect(csv.split('\n')[0]).toBe('seq,time,user,action,resource,client_ip,user_agent,outcome,detail');
  expect(csv).toContain('"denied"');
  expect(csv).not.toContain('"success"');
});

test('an admin creates a bucket, sees its settings, makes a folder and picks it as data source', async ({ page }) => {
  await page.goto('/sign-in');
  await waitForHydration(page);
  await signInWith(page, password);
  await page.getByRole('link', { name: 'Usecases' }).click();
  await page.getByRole('link', { name: 'Default' }).click();
  await expect(page.getByRole('heading', { name: 'Create a bucket' })).toBeVisible();
  await waitForHydration(page);

  const name = page.getByLabel('Bucket name');
  await name.fill('Training_Data');
  await expect(page.getByText('Use only lowercase letters, digits, hyphens and dots')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create bucket' })).toBeDisabled();
  await name.fill('training-data');
  await page.getByLabel('Region').selectOption('eu-west-1');
  await page.getByRole('button', { name: 'Create bucket' }).click();

  const checklist = page.getByRole('list', { name: 'Bucket settings' });
  await expect(checklist.getByRole('listitem')).toHaveCount(6);
  for (const setting of ['Versioning', 'Default encryption', 'Public access block', 'Bucket policy', 'CORS for browser uploads', 'Abort incomplete uploads']) {
    await expect(checklist.getByText(`${setting}: applied`)).toBeVisible();
  }
  await page.getByRole('link', { name: 'training-data' }).click();
  await expect(page.getByRole('heading', { name: 'training-data' })).toBeVisible();
  await waitForHydration(page);

  await page.getByLabel('New folder name').fill('images');
  await page.getByRole('button', { name: 'Create folder' }).click();
  await page.getByRole('link', { name: 'images/' }).click();
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'images' })).toHaveAttribute('aria-current', 'page');
  // Administration is one click from the folder, not above its listing.
  await expect(page.getByRole('button', { name: 'Use this folder as the data source' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Bucket settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings of training-data' })).toBeVisible();
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Use this folder as the data source' }).click();
  await expect(page.getByText('Data source of Default set to s3://training-data/images/')).toBeVisible();
  await page.getByRole('link', { name: 'Back to the folder' }).click();

  // The breadcrumb names the usecase.
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Default', exact: true }).click();
  await expect(page.getByText('s3://training-data/images/')).toBeVisible();
});

test('an admin gives the SageMaker role read access to a bucket, keeping its policy', async ({ page }) => {
  const role = 'arn:aws:iam::123456789012:role/SageMakerExecution';
  await page.goto('/sign-in');
  await waitForHydration(page);
  await signInWith(page, password);
  await page.getByRole('link', { name: 'Usecases' }).click();
  await page.getByRole('link', { name: 'Default' }).click();
  await waitForHydration(page);
  const arn = page.getByLabel('SageMaker execution role ARN');
  await arn.fill('arn:aws:iam::123:role/x');
  await expect(page.getByText('Enter a role ARN such as')).toBeVisible();
  await arn.fill(role);
  await page.getByRole('button', { name: 'Save role' }).click();
  await expect(page.getByText(`Saved: ${role}`)).toBeVisible();

  await page.getByRole('link', { name: 'dataport-data' }).click();
  await page.getByRole('link', { name: 'Bucket settings' }).click();
  const panel = page.getByRole('region', { name: 'Training access to this bucket' });
  await expect(panel.getByLabel('Policy statements')).toContainText(role);
  await panel.getByRole('button', { name: 'Apply to this bucket' }).click();
  await expect(panel.getByRole('status')).toContainText('Bucket policy: applied');
});

test('an admin configures a usecase, saved only once its data access verifies', async ({ page }) => {
  await page.goto('/sign-in');
  await waitForHydration(page);
  await signInWith(page, password);
  await page.getByRole('link', { name: 'Usecases' }).click();
  await page.getByRole('link', { name: 'New usecase' }).click();
  await expect(page.getByRole('heading', { name: 'New usecase' })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByLabel('Trust policy of the cross-account role')).toContainText('sts:ExternalId');
  await expect(page.getByLabel('CloudFormation template')).toContainText('AWS::IAM::Role');

  await expect(page.getByLabel('Data account role ARN')).toHaveCount(0);
  await page.getByRole('radio', { name: 'Separate data account' }).check();
  await expect(page.getByLabel('Data account role ARN')).toBeVisible();
  await expect(page.getByLabel('Trust policy of the data-account role')).toContainText('sts:ExternalId');
  await page.getByRole('radio', { name: 'Same as UseCase account' }).check();

  await page.getByLabel('Name', { exact: true }).fill('Vision');
  await page.getByLabel('UseCase account id').fill('123456789012');
  await page.getByLabel('UseCase bucket').fill('vision-data-missing');
  await page.getByRole('button', { name: 'Verify and save' }).click();
  await expect(page.getByRole('status')).toContainText('Not saved');
  await expect(page.getByRole('list', { name: 'Verification' })).toContainText('Bucket reachable: failed');

  await page.getByLabel('UseCase bucket').fill('training-data');
  await page.getByRole('button', { name: 'Verify and save' }).click();
  await expect(page.getByRole('heading', { name: 'Vision' })).toBeVisible();
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Verify again' }).click();
  await expect(page.getByRole('list', { name: 'Verification' })).toContainText('Bucket writable: passed');
});

test('signing out ends the session', async ({ page }) => {
  await page.goto('/sign-in');
  await waitForHydration(page);
  await signInWith(page, password);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});
