import { describe } from 'vitest';
import { createMemoryStore } from '../../src/index.js';
import { replayScenarios } from '../replay-scenarios.js';

describe('the in-memory store (the default)', () => {
  replayScenarios(async () => createMemoryStore());
});
