import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root (the folder with package.json), whether this file runs from src/ under
 * tsx or from the compiled dist/src/: views and public files are found from there.
 */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'views'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('Cannot find the StatusPing project root (package.json and views/)');
    dir = up;
  }
}
