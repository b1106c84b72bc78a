/** The JWS matrix on Web Crypto, the path every runtime but Node takes. */
import { vi } from 'vitest';
import { defineJwsMatrix } from './jws-matrix.js';

vi.mock('#runtime', () => import('../../src/runtime/web.js'));

defineJwsMatrix('web');
