/**
 * A worker thread of `meterwall simulate`: loads the config module itself (its functions cannot
 * cross threads), then either replays the partitions it is sent, one at a time, answering each
 * with its counts (spill.ts `replayPartition`; its memory is one partition's readers), or is one
 * shard of a streamed run (shard.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Article } from '../../types.js';
import { loadConfig } from './config-module.js';
import { logFormat } from './formats.js';
import { Shard, type ShardSetup, type ToShard } from './shard.js';
import { configurationsFromSets, type SimulationConfig } from './simulate.js';
import { replayPartition } from './spill.js';

interface Setup {
  readonly configPath: string;
  readonly sets: readonly string[];
  readonly names: readonly string[];
  readonly logs: readonly string[];
  /** The run's article table (records name their article by its place), for partitions. */
  readonly articles?: readonly Article[];
  /** A streamed run's shard. */
  readonly shard?: ShardSetup;
}

async function start(port: NonNullable<typeof parentPort>): Promise<void> {
  const setup = workerData as Setup;
  const loaded = await loadConfig(setup.configPath);
  const config: SimulationConfig = setup.sets.length
    ? { ...loaded, configurations: configurationsFromSets(setup.sets, loaded.options) }
    : loaded;
  if (setup.shard !== undefined) {
    const shard = new Shard(setup.shard, config, logFormat(config.log), (message, transfer) => port.postMessage(message, transfer));
    port.on('message', (message: ToShard) => shard.receive(message));
  } else
    port.on('message', (message: { i: number; files: string[]; decisions: string | null }) => {
      void replayPartition(message.files, setup.articles ?? [], config, setup.names, setup.logs, message.decisions).then((done) =>
        port.postMessage({ i: message.i, done }),
      );
    });
  port.postMessage('ready');
}

if (parentPort !== null) void start(parentPort);
