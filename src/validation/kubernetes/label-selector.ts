import { Names } from '../../private/names';
import { Reporter } from '../reporter';
import { list, record, text } from '../values';

/** Label maps and `metav1.LabelSelector` as the API server validates them. Internal. */
export class LabelRules {
  /** Every key is a qualified name and every value a label value. */
  public static validateLabels(report: Reporter, labels: unknown, path: string, rule = 'K8S-LABEL'): void {
    for (const [key, value] of Object.entries(record(labels))) {
      const keyError = Names.labelKeyError(key);
      if (keyError) report.error(`${path}[${key}]`, rule, `${path}: Invalid value: ${JSON.stringify(key)}: label key ${keyError}`);
      if (typeof value === 'string') {
        const valueError = Names.labelValueError(value);
        if (valueError) {
          report.error(`${path}[${key}]`, rule,
            `${path}[${key}]: Invalid value: ${JSON.stringify(value)}: a label value ${valueError}; long or free-form values belong in annotations`);
        }
      }
    }
  }

  /** `ValidateLabelSelector`: valid labels, and expressions whose operator agrees with its values. */
  public static validateSelector(report: Reporter, selector: unknown, path: string): void {
    if (selector === undefined || selector === null) return;
    const s = record(selector);
    LabelRules.validateLabels(report, s.matchLabels, `${path}.matchLabels`, 'K8S-SELECTOR');
    list(s.matchExpressions).forEach((raw, i) => {
      const expression = record(raw);
      const epath = `${path}.matchExpressions[${i}]`;
      const keyError = Names.labelKeyError(text(expression.key));
      if (keyError) report.error(`${epath}.key`, 'K8S-SELECTOR', `${epath}.key: Invalid value: ${JSON.stringify(expression.key)}: ${keyError}`);
      const values = list(expression.values);
      switch (expression.operator) {
        case 'In':
        case 'NotIn':
          if (values.length === 0) {
            report.error(`${epath}.values`, 'K8S-SELECTOR', `${epath}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`);
          }
          break;
        case 'Exists':
        case 'DoesNotExist':
          if (values.length > 0) {
            report.error(`${epath}.values`, 'K8S-SELECTOR', `${epath}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`);
          }
          break;
        default:
          report.error(`${epath}.operator`, 'K8S-SELECTOR', `${epath}.operator: Invalid value: ${JSON.stringify(expression.operator)}: not a valid selector operator (In, NotIn, Exists, DoesNotExist)`);
      }
    });
  }

}
