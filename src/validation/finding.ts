/**
 * How bad a finding is.
 */
export enum Severity {
  /**
   * The cluster would reject the object, or the set of objects cannot work as written.
   */
  ERROR = 'ERROR',

  /**
   * The cluster admits the object, but with a warning (istiod's webhook warnings, `istioctl analyze` hints).
   */
  WARNING = 'WARNING',
}

/**
 * One problem found in a synthesized manifest.
 */
export interface Finding {
  /**
   * The object the finding is about, as `Kind namespace/name` (`Kind name` when the object has no namespace).
   */
  readonly objectName: string;

  /**
   * Where in the object, as a field path such as `spec.servers[0].port`; empty when the finding is about the whole
   * object.
   */
  readonly path: string;

  /**
   * A stable identifier of the rule that produced the finding, such as `IST-SE-DNS-WILDCARD` or `SCHEMA-REQUIRED`.
   */
  readonly rule: string;

  /**
   * What is wrong, naming the bad value and how to fix it.
   */
  readonly message: string;

  /**
   * Whether the cluster would reject the object or only warn.
   */
  readonly severity: Severity;
}
