/** The JWS matrix on node:crypto, the path the package's `node` condition picks. */
import { defineJwsMatrix } from './jws-matrix.js';

defineJwsMatrix('node');
