import { Finding, Severity } from './finding';

/**
 * Collects the findings about one manifest. Internal: rule code reports through it so every finding names its object
 * the same way.
 */
export class Reporter {
  /** The `Kind namespace/name` label of a manifest, tolerant of malformed input (the validator's job is to say so). */
  public static describe(manifest: any): string {
    const kind = typeof manifest?.kind === 'string' ? manifest.kind : '<no kind>';
    const name = typeof manifest?.metadata?.name === 'string' ? manifest.metadata.name : '<no name>';
    const namespace = manifest?.metadata?.namespace;
    return typeof namespace === 'string' && namespace !== '' ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
  }

  public readonly findings: Finding[] = [];

  constructor(public readonly object: string) {}

  public error(path: string, rule: string, message: string): void {
    this.findings.push({ objectName: this.object, path, rule, message, severity: Severity.ERROR });
  }

  public warning(path: string, rule: string, message: string): void {
    this.findings.push({ objectName: this.object, path, rule, message, severity: Severity.WARNING });
  }
}

/** Appends a property or index to a field path the way the Kubernetes API server prints it. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${key}]`;
}
