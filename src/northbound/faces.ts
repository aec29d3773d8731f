/**
 * The northbound faces, in start order (stopped in reverse). Adding a face: a folder under
 * northbound/ with a FaceKind (face.ts), and one entry here (docs/architecture.md).
 */
import type { FaceKind } from './face.js';
import { mqttFace } from './mqtt/mqtt-face.js';
import { onem2mFace } from './onem2m/onem2m-face.js';
import { restFace } from './rest/rest-face.js';

export const FACES: readonly FaceKind[] = [mqttFace, restFace, onem2mFace];

export { FaceStartError, type Face, type FaceDeps, type FaceKind, type FacePorts } from './face.js';
