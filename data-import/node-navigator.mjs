// pg asks at load time whether it runs in a Cloudflare Worker: where `navigator` is missing, as on
// Node 20 (Node 21 and later define it), it builds a fetch Response to find out, which loads Node's
// bundled undici, 20 ms of an import command's start-up. Node 21's own answer (its user agent)
// settles the question without it. Imported first by the import command and the import job.
globalThis.navigator ??= { userAgent: `Node.js/${process.versions.node.split('.')[0]}` };
