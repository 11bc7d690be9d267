import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';

const projectRoot = path.join(__dirname, '..', '..');

/**
 * What `npm run build` makes (compiled JS plus the prebuilt workflow bundle), but under `dir`, so the
 * repository's dist/ is left alone. A node_modules link next to it lets Node and the bundler resolve packages.
 * Returns the built worker entry.
 */
export function buildProductionWorker(dir: string): string {
  const out = path.join(dir, 'dist');
  const modules = path.join(dir, 'node_modules');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(modules)) symlinkSync(path.join(projectRoot, 'node_modules'), modules, 'dir');
  // the bundle script names the build after the package version (dist/build-id)
  copyFileSync(path.join(projectRoot, 'package.json'), path.join(dir, 'package.json'));
  // the worker's start-up check reads the migrations, next to dist/ as in the image
  const migrations = path.join(dir, 'migrations');
  if (!existsSync(migrations)) symlinkSync(path.join(projectRoot, 'migrations'), migrations, 'dir');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: projectRoot, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(out, 'scripts', 'build-workflow-bundle.js')], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  return path.join(out, 'worker.js');
}
