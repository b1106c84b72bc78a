/**
 * The simulate config module (`--config`): loaded, its default export checked (its keys, its
 * article function), for the command and for each worker thread, which loads its own.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CommandError } from '../errors.js';
import type { SimulationConfig } from './simulate.js';

const CONFIG_KEYS = new Set(['options', 'article', 'reader', 'configurations', 'log']);

/** The config module's default export, checked. */
export async function loadConfig(path: string): Promise<SimulationConfig> {
  const module = (await import(pathToFileURL(resolve(path)).href)) as { default?: SimulationConfig };
  const loaded = module.default;
  if (!loaded || typeof loaded.article !== 'function' || typeof loaded.options !== 'object')
    throw new CommandError('ERR_USAGE', `${path} must export default { options, article(url, entry) }`);
  for (const key of Object.keys(loaded))
    if (!CONFIG_KEYS.has(key)) throw new CommandError('ERR_USAGE', `${path}: ${key} is not a config key (${[...CONFIG_KEYS].join(', ')})`);
  return loaded;
}
