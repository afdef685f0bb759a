// Parses Mermaid text from standard input with the mermaid package's own parser, the one the renderer uses: exit 0
// when it parses, 1 with the parser's message when it does not. Mermaid is ESM-only and expects a browser, so the
// test runs this in a child node process with a jsdom window for its DOMPurify.
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = window;
globalThis.document = window.document;
globalThis.DOMPurify = (await import('dompurify')).default(window);

const { default: mermaid } = await import('mermaid');
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString('utf8');
try {
  const result = await mermaid.parse(text);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  process.stderr.write(`${e?.message ?? e}\n`);
  process.exit(1);
}
