import * as fs from 'fs';

// The run's data directory and picked files hold gigabytes after the upload tests.
export default async function teardown() {
  for (const dir of [process.env.DATAPORT_E2E_DIR, process.env.DATAPORT_E2E_FILES]) {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
