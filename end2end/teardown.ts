import * as fs from 'fs';
import * as path from 'path';

// The run's data directory and picked files hold gigabytes after the upload tests.
export default async function teardown() {
  for (const dir of [process.env.DATAPORT_E2E_DIR, process.env.DATAPORT_E2E_FILES]) {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
  // A panic inside the portal (in a page's render, say) can leave the page
  // looking right; it fails the run all the same.
  const log = path.resolve(__dirname, '..', 'target', 'e2e-server.log');
  if (fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('panicked at')) {
    throw new Error(`The portal panicked during the browser tests; see ${log}.`);
  }
}
