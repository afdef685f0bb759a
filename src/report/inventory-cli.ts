#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { EgressInventory, EgressInventoryFormat } from './egress-inventory';

// The package's `cdk8s-istio-inventory` command: the egress inventory of manifest files, for config this library
// did not synthesize (hand-written, another tool's, what a cluster returns) as much as for its own.

const USAGE = `usage: cdk8s-istio-inventory [--format json|markdown|mermaid] [--out DIR] MANIFEST...

Reads Kubernetes and Istio manifests (YAML files, directories of them, or - for standard input) and prints the
egress inventory: every external host, how it leaves the mesh, and who is granted it.

  -f, --format FORMAT  json (default when printing), markdown or mermaid
  -o, --out DIR        write egress-inventory.json, .md and .mmd into DIR (only FORMAT's file with --format)
  -h, --help           this text
`;

const FORMATS: { [name: string]: EgressInventoryFormat } = {
  json: EgressInventoryFormat.JSON,
  markdown: EgressInventoryFormat.MARKDOWN,
  mermaid: EgressInventoryFormat.MERMAID,
};

/** Thrown for a command line that cannot be run as written: exit code 2, with the usage. */
class UsageError extends Error {}

function main(argv: string[]): number {
  try {
    const { values, positionals } = parseOptions(argv);
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const format = values.format === undefined ? undefined : FORMATS[values.format];
    if (values.format !== undefined && format === undefined) {
      throw new UsageError(`unknown format '${values.format}'; use one of ${Object.keys(FORMATS).join(', ')}`);
    }
    if (positionals.length === 0) {
      throw new UsageError('no manifests given; name the files (e.g. dist/*.k8s.yaml), a directory of them, or - for standard input');
    }
    const inventory = EgressInventory.fromFiles(positionals.flatMap(expand));
    if (values.out !== undefined) {
      for (const file of inventory.writeTo(values.out, format && [format])) process.stdout.write(`${file}\n`);
    } else {
      process.stdout.write(inventory.render(format ?? EgressInventoryFormat.JSON));
    }
    return 0;
  } catch (e) {
    process.stderr.write(`cdk8s-istio-inventory: ${(e as Error).message}\n`);
    if (e instanceof UsageError) process.stderr.write(`\n${USAGE}`);
    return e instanceof UsageError ? 2 : 1;
  }
}

function parseOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        format: { type: 'string', short: 'f' },
        out: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** A directory stands for its YAML files (not its subdirectories), in name order; anything else is itself. */
function expand(input: string): string[] {
  if (input === '-' || !fs.existsSync(input) || !fs.statSync(input).isDirectory()) return [input];
  const files = fs.readdirSync(input).filter(name => /\.ya?ml$/.test(name)).sort().map(name => path.join(input, name));
  if (files.length === 0) throw new UsageError(`directory '${input}' holds no .yaml or .yml file; name the manifest files`);
  return files;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
