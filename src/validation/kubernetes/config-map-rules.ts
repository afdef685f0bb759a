import { Reporter } from '../reporter';
import { record, text } from '../values';

const MAX_BYTES = 1024 * 1024;

/** `ValidateConfigMap`: key syntax, no key in both data and binaryData, 1 MiB total. Internal. */
export class ConfigMapRules {
  public static validate(manifest: any, report: Reporter): void {
    let size = 0;
    const data = record(manifest?.data);
    const binary = record(manifest?.binaryData);
    for (const [field, map] of [['data', data], ['binaryData', binary]] as const) {
      for (const [key, value] of Object.entries(map)) {
        if (key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(key) || key === '.' || key === '..') {
          report.error(`${field}[${key}]`, 'K8S-CONFIGMAP-KEY',
            `${field}: Invalid value: ${JSON.stringify(key)}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (≤253, not "." or "..")`);
        }
        if (field === 'binaryData' && key in data) report.error(`${field}[${key}]`, 'K8S-CONFIGMAP-KEY', `${field}[${key}]: Invalid value: duplicate of key present in data`);
        size += text(value).length;
      }
    }
    if (size > MAX_BYTES) report.error('data', 'K8S-CONFIGMAP-KEY', `data: Too long: must have at most ${MAX_BYTES} bytes`);
  }
}
