/**
 * Defensive accessors: rules run on the same (possibly malformed) input the schema layer reports on, and must report,
 * not crash. Internal.
 */
export function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

export function record(value: unknown): Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, any> : {};
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** True when the field is present with content (Go treats absent, null and empty lists alike). */
export function present(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'string') return value !== '';
  return true;
}
