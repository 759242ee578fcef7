/** Stand-ins for the built pages, so a server can start without `npm run build` (server tests, benchmarks). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A new temporary folder with the frame page, the admin page and the loader the server serves; the caller removes it. */
export function fakeWebRoot(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-web-'));
  fs.mkdirSync(path.join(dir, 'widget'));
  fs.mkdirSync(path.join(dir, 'admin'));
  fs.writeFileSync(path.join(dir, 'widget', 'frame.html'), '<!doctype html><title>frame</title>');
  fs.writeFileSync(path.join(dir, 'admin', 'index.html'), '<!doctype html><title>admin</title>');
  fs.writeFileSync(path.join(dir, 'widget.js'), '/* loader */');
  return dir;
}
