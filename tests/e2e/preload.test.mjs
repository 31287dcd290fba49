// index.html names every module of the page's start-up in a
// <link rel="modulepreload">, so that the browser fetches them all at once
// instead of discovering each import only after its importer was parsed (a
// round trip per level). This checks the list against the modules' static
// imports, so that a new import cannot silently add such a round trip.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './harness.mjs';

const WWW = path.join(ROOT, 'www');
const html = readFileSync(path.join(WWW, 'index.html'), 'utf8');
const attr = (tag, name) => tag.match(new RegExp(`${name}="([^"]*)"`))?.[1];
const tags = (re) => [...html.matchAll(re)].map((m) => m[0]);

/** The static imports of the module at `file` (www-relative), resolved. */
function staticImports(file) {
  const src = readFileSync(path.join(WWW, file), 'utf8');
  const found = [...src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*'([^']+)'|^\s*import\s*'([^']+)'/gm)];
  return found.map((m) => path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1] ?? m[2])));
}

it('index.html preloads every module that the start-up imports statically', () => {
  const preloaded = new Set(tags(/<link[^>]*rel="modulepreload"[^>]*>/g).map((t) => attr(t, 'href')));
  const entries = tags(/<script[^>]*type="module"[^>]*>/g).map((t) => attr(t, 'src'));
  assert.ok(entries.includes('js/main.js') && entries.includes('js/boot.js'), `entry scripts: ${entries}`);
  for (const href of preloaded) assert.ok(existsSync(path.join(WWW, href)), `preloaded ${href} does not exist`);
  // The entry scripts are fetched at once too.
  for (const src of entries) preloaded.add(src);

  const seen = new Set();
  const todo = [...entries];
  while (todo.length) {
    const file = todo.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const dep of staticImports(file)) {
      assert.ok(preloaded.has(dep), `${file} imports ${dep}, which index.html does not modulepreload`);
      todo.push(dep);
    }
  }
  // main.js and its graph, at least: the check must have walked something.
  assert.ok(seen.size > 10, `only ${[...seen]} walked`);
});
