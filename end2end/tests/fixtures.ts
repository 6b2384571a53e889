// What every browser test shares: the administrator of the portal's story,
// waiting for the page to hydrate, and signing in the way a person does.
import { expect, Page } from '@playwright/test';
import * as crypto from 'crypto';

export const email = 'admin@example.com';
export const password = 'a long and careful passphrase';

/** Waits until the WASM bundle is loaded and has taken over the page. */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => (window as any).__dataport_hydrated === true, undefined, { timeout: 30_000 });
}

/** Fills and sends the sign-in form of the page that is open. */
async function fillSignIn(page: Page, pass: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(pass);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Opens the sign-in page and signs in with `pass`, hydrated or not. */
export async function signInWith(page: Page, pass: string) {
  await page.goto('/sign-in');
  await fillSignIn(page, pass);
}

/** The setup link the test server prints while no administrator exists. */
export const setupLink = '/setup?token=e2e-setup-token';

/** Signs the administrator in, creating it first when the portal has none yet. */
export async function signIn(page: Page) {
  await page.goto('/');
  await waitForHydration(page);
  if (page.url().endsWith('/setup')) {
    await page.goto(setupLink);
    await waitForHydration(page);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Confirm password').fill(password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await expect(page.getByRole('heading', { name: 'Usecases' })).toBeVisible();
    return;
  }
  await page.goto('/sign-in');
  await waitForHydration(page);
  await fillSignIn(page, password);
  // An administrator starts on the dashboard; the story's tests go on from the usecases.
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await page.getByRole('link', { name: 'Usecases' }).click();
  await expect(page.getByRole('heading', { name: 'Usecases' })).toBeVisible();
}

/** Hex SHA-256 of some bytes, to compare a download with what was uploaded. */
export function sha256(bytes: Buffer) {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** Signs in and opens the folder `prefix` of the default usecase's bucket, hydrated. */
export async function openFolder(page: Page, prefix: string) {
  await signIn(page);
  await page.getByRole('link', { name: 'Default' }).click();
  await page.getByRole('link', { name: 'dataport-data' }).click();
  await expect(page.getByRole('heading', { name: 'dataport-data' })).toBeVisible();
  const u = new URL(page.url());
  u.searchParams.set('prefix', prefix);
  await page.goto(u.toString());
  await waitForHydration(page);
}

/** Uploads files into the folder shown and waits until all have landed. */
export async function upload(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
  await page.getByLabel('Files to upload').setInputFiles(files);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Upload' }).getByRole('status')).toHaveText(`Finished: ${files.length} uploaded.`);
}
