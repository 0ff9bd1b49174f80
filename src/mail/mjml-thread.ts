// A thread that compiles one MJML template, posts the HTML and ends (compileMjml in templates.ts starts it). A
// template error ends it with that error, which compileMjml rejects with.
import { parentPort, workerData } from 'node:worker_threads';
import { compileMjmlHere } from './mjml-compile.js';

const { name, minify } = workerData as { name: string; minify: boolean };
parentPort!.postMessage(await compileMjmlHere(name, { minify }));
