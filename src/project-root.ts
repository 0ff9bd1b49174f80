import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root: templates/, prisma/ and package.json are found from here, wherever the process started. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
