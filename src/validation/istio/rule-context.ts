import { Reporter } from '../reporter';

/** What an istiod rule sees of one object. Internal. */
export interface RuleContext {
  readonly manifest: any;
  /** `spec`, or an empty object when it is missing or malformed (the schema layer reports that). */
  readonly spec: any;
  /** The object's namespace, or the validator's default namespace when it has none. */
  readonly namespace: string;
  readonly report: Reporter;
}
