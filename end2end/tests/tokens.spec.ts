import { test, expect } from '@playwright/test';
import { signIn, signInWith, password } from './fixtures';

// A person makes a token for a script, the script uses it, the person
// revokes it; the API's reference is a page of the portal.
test.describe.configure({ mode: 'serial' });

let usecaseId = '';

test('a token made on its page calls the API until it is revoked', async ({ page, request }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'API tokens' }).click();
  await expect(page.getByRole('heading', { name: 'API tokens', level: 1 })).toBeVisible();
  await page.getByLabel('Token name').fill('nightly export');
  await page.getByLabel('Expires in (days)').fill('30');
  await page.getByLabel('Read-only').check();
  await page.getByRole('button', { name: 'Create token' }).click();

  const secret = await page.getByLabel('New API token').inputValue();
  expect(secret).toMatch(/^dpt_[0-9a-f]{64}$/);
  const row = page.getByRole('row', { name: /nightly export/ });
  await expect(row).toContainText('Read-only');
  await expect(row).toContainText('Active');

  const auth = { Authorization: `Bearer ${secret}` };
  const listed = await request.get('/api/v1/usecases', { headers: auth });
  expect(listed.status()).toBe(200);
  const usecases = (await listed.json()).usecases;
  expect(usecases.length).toBeGreaterThan(0);
  usecaseId = usecases[0].id;

  await page.getByRole('button', { name: 'Revoke token nightly export' }).click();
  await expect(row).toContainText('Revoked');
  const refused = await request.get('/api/v1/usecases', { headers: auth });
  expect(refused.status()).toBe(401);
  expect(refused.headers()['content-type']).toBe('application/problem+json');
});

test('the API reference lists every call from the running portal', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'API tokens' }).click();
  await page.getByRole('link', { name: 'Read the API reference' }).click();
  await expect(page.getByRole('heading', { name: 'Dataport API', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'GET /api/v1/usecases', exact: true })).toBeVisible();
  const upload = page.getByRole('article').filter({ hasText: 'POST /api/v1/usecases/{usecase_id}/data/upload-url' });
  await expect(upload.getByRole('table', { name: 'Request body (JSON)' })).toContainText('size');
  await expect(page.getByRole('link', { name: 'Download the OpenAPI document' })).toBeVisible();
});

test.describe('before any script has loaded', () => {
  test.use({ javaScriptEnabled: false });

  test('a token is made and shown once with a plain form', async ({ page }) => {
    await signInWith(page, password);
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('shell script');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByRole('heading', { name: 'Token “shell script” created' })).toBeVisible();
    expect(await page.getByLabel('New API token').inputValue()).toMatch(/^dpt_[0-9a-f]{64}$/);
    await expect(page.getByRole('row', { name: /shell script/ })).toContainText('Read and write');

    await page.getByRole('button', { name: 'Revoke token shell script' }).click();
    await expect(page.getByRole('row', { name: /shell script/ })).toContainText('Revoked');
  });

  test('temporary keys for command-line tools are made for one folder', async ({ page }) => {
    await signInWith(page, password);
    await page.goto(`/keys?usecase=${usecaseId}&bucket=dataport-data&prefix=reports/`);
    await expect(page.getByRole('heading', { name: 'Use with command-line tools' })).toBeVisible();
    await page.getByLabel('Valid for').selectOption({ label: '15 minutes' });
    await page.getByRole('button', { name: 'Create temporary keys' }).click();
    await expect(page.getByRole('heading', { name: 'Temporary keys for s3://dataport-data/reports/' })).toBeVisible();
    const shell = await page.getByLabel('Shell lines').inputValue();
    expect(shell).toMatch(/^export AWS_ACCESS_KEY_ID=DPT[0-9A-F]{20}$/m);
    expect(shell).toContain('export AWS_SESSION_TOKEN=');
    expect(shell).toContain('export AWS_ENDPOINT_URL_S3=http://127.0.0.1:');
    expect(await page.getByLabel('Example command').inputValue()).toBe('aws s3 sync ./data s3://dataport-data/reports/');
  });
});
