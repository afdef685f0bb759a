import { PolicyTargetRules } from './policy-target-rules';
import { Names } from '../../private/names';
import { list, present, record, text } from '../values';
import { RuleContext } from './rule-context';

const SOURCE_FIELDS = ['principals', 'requestPrincipals', 'namespaces', 'ipBlocks', 'remoteIpBlocks', 'notPrincipals',
  'notRequestPrincipals', 'notNamespaces', 'notIpBlocks', 'notRemoteIpBlocks'];
const OPERATION_FIELDS = ['ports', 'methods', 'paths', 'hosts', 'notPorts', 'notMethods', 'notPaths', 'notHosts'];
const TCP_SOURCE_FIELDS = ['principals', 'notPrincipals', 'ipBlocks', 'notIpBlocks', 'namespaces', 'notNamespaces', 'remoteIpBlocks', 'notRemoteIpBlocks'];

/**
 * istiod's `ValidateAuthorizationPolicy` and the attribute checks of `pkg/config/security`. The CRD covers the
 * selector/targetRefs exclusivity and the serviceAccounts vs principals/namespaces exclusivity. Internal.
 */
export class AuthorizationPolicyRules {
  public static validate(ctx: RuleContext): void {
    const spec = ctx.spec;
    PolicyTargetRules.validate(ctx);
    const action = text(spec.action) || 'ALLOW';
    const rules = list(spec.rules);

    if (action === 'CUSTOM') {
      if (rules.length === 0) {
        ctx.report.error('spec.rules', 'IST-AP-CUSTOM',
          'CUSTOM action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request');
      } else if (!present(record(spec.provider).name)) {
        ctx.report.error('spec.provider.name', 'IST-AP-CUSTOM', '`provider.name` must not be empty with action CUSTOM');
      }
      rules.forEach((rule, i) => {
        list(record(rule).from).forEach((from, j) => {
          const source = record(record(from).source);
          for (const field of ['namespaces', 'notNamespaces', 'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals']) {
            if (present(source[field])) {
              ctx.report.error(`spec.rules[${i}].from[${j}].source.${field}`, 'IST-AP-CUSTOM', `${field} is currently not supported with CUSTOM action`);
            }
          }
        });
        list(record(rule).when).forEach((when, j) => {
          const key = text(record(when).key);
          if (key === 'source.namespace' || key === 'source.principal' || key.startsWith('request.auth.')) {
            ctx.report.error(`spec.rules[${i}].when[${j}].key`, 'IST-AP-CUSTOM', `${key} is currently not supported with CUSTOM action`);
          }
        });
      });
    }
    if (spec.provider !== undefined && action !== 'CUSTOM') {
      ctx.report.error('spec.provider', 'IST-AP-PROVIDER', `\`provider\` must not be with non CUSTOM action, found ${action}; set action: CUSTOM or drop provider`);
    }
    if (action === 'DENY' && rules.length === 0) {
      ctx.report.error('spec.rules', 'IST-AP-DENY-NO-RULES',
        'DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request');
    }

    rules.forEach((raw, i) => {
      const rule = record(raw);
      const path = `spec.rules[${i}]`;
      if (rule.from !== undefined && list(rule.from).length === 0) ctx.report.error(`${path}.from`, 'IST-AP-FROM-EMPTY', '`from` must not be empty; drop it to match any source');
      if (rule.to !== undefined && list(rule.to).length === 0) ctx.report.error(`${path}.to`, 'IST-AP-TO-EMPTY', '`to` must not be empty; drop it to match any operation');
      let fromExists = false;
      let toExists = false;
      let tcpInFrom = false;
      let tcpInTo = false;
      list(rule.from).forEach((from, j) => {
        const fpath = `${path}.from[${j}].source`;
        if (record(from).source === undefined || record(from).source === null) {
          ctx.report.error(fpath, 'IST-AP-SOURCE-EMPTY', '`from.source` must not be nil');
          return;
        }
        fromExists = true;
        const source = record(record(from).source);
        if (!SOURCE_FIELDS.some(f => present(source[f])) && !present(source.serviceAccounts) && !present(source.notServiceAccounts)) {
          ctx.report.error(fpath, 'IST-AP-SOURCE-EMPTY', '`from.source` must not be empty: set principals, namespaces, ipBlocks or another source field');
        }
        for (const field of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks']) {
          list(source[field]).forEach((ip, k) => {
            if (text(ip) !== '' && !Names.isIpOrCidr(text(ip))) {
              ctx.report.error(`${fpath}.${field}[${k}]`, 'IST-AP-IP-BLOCK', `bad IP address or CIDR range (${ip})`);
            }
          });
        }
        AuthorizationPolicyRules.checkEmptyValues(ctx, source, SOURCE_FIELDS, fpath);
        for (const field of ['serviceAccounts', 'notServiceAccounts']) {
          AuthorizationPolicyRules.checkServiceAccounts(ctx, list(source[field]).map(text), `${fpath}.${field}`);
        }
        if (TCP_SOURCE_FIELDS.some(f => source[f] !== undefined)) tcpInFrom = true;
      });
      list(rule.to).forEach((to, j) => {
        const tpath = `${path}.to[${j}].operation`;
        if (record(to).operation === undefined || record(to).operation === null) {
          ctx.report.error(tpath, 'IST-AP-OPERATION-EMPTY', '`to.operation` must not be nil');
          return;
        }
        toExists = true;
        const operation = record(record(to).operation);
        if (!OPERATION_FIELDS.some(f => present(operation[f]))) {
          ctx.report.error(tpath, 'IST-AP-OPERATION-EMPTY', '`to.operation` must not be empty: set ports, methods, paths or hosts');
        }
        for (const field of ['ports', 'notPorts']) {
          list(operation[field]).forEach((port, k) => {
            if (!isPort(text(port))) {
              ctx.report.error(`${tpath}.${field}[${k}]`, 'IST-AP-PORT', `bad port (${port}): ports are numbers 0..65535 written as strings, e.g. "443"`);
            }
          });
        }
        AuthorizationPolicyRules.checkEmptyValues(ctx, operation, OPERATION_FIELDS, tpath);
        for (const field of ['paths', 'notPaths']) {
          list(operation[field]).forEach((p, k) => {
            const error = pathTemplateError(text(p));
            if (error) ctx.report.error(`${tpath}.${field}[${k}]`, 'IST-AP-PATH', error);
          });
        }
        if (operation.ports !== undefined || operation.notPorts !== undefined) tcpInTo = true;
      });
      list(rule.when).forEach((raw2, j) => AuthorizationPolicyRules.validateCondition(ctx, record(raw2), `${path}.when[${j}]`));

      if (action === 'DENY' && ((fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo))) {
        ctx.report.warning(path, 'IST-AP-DENY-HTTP-ONLY',
          'configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of only HTTP attributes '
          + 'in a DENY rule; it is recommended to explicitly specify the port');
      }
    });
  }

  private static checkEmptyValues(ctx: RuleContext, node: Record<string, any>, fields: string[], path: string): void {
    for (const field of fields) {
      const index = list(node[field]).findIndex(v => v === '');
      if (index >= 0) ctx.report.error(`${path}.${field}[${index}]`, 'IST-AP-EMPTY-VALUE', `empty value not allowed, found in ${field}`);
    }
  }

  /** `CheckServiceAccount`: ≤16 values, no wildcard, `sa` or `ns/sa`, ≤320 characters. */
  private static checkServiceAccounts(ctx: RuleContext, values: string[], path: string): void {
    if (values.length > 16) ctx.report.error(path, 'IST-AP-SERVICE-ACCOUNT', 'may not have more than 16 values');
    values.forEach((value, k) => {
      const at = `${path}[${k}]`;
      if (value === '') {ctx.report.error(at, 'IST-AP-SERVICE-ACCOUNT', 'empty value not allowed');} else if (value.includes('*')) {ctx.report.error(at, 'IST-AP-SERVICE-ACCOUNT', `wildcard not allowed in service account ${JSON.stringify(value)}; list the accounts`);} else if ((value.match(/\//g) ?? []).length > 1 || value.startsWith('/') || value.endsWith('/')) {
        ctx.report.error(at, 'IST-AP-SERVICE-ACCOUNT', `expected format 'serviceAccount' or 'namespace/serviceAccount', found ${JSON.stringify(value)}`);
      } else if (value.length > 320) {ctx.report.error(at, 'IST-AP-SERVICE-ACCOUNT', 'value cannot exceed 320 characters');}
    });
  }

  /** `when`: a known key (`ValidateAttribute`) with values or notValues. */
  private static validateCondition(ctx: RuleContext, when: Record<string, any>, path: string): void {
    const key = text(when.key);
    if (key === '') {
      ctx.report.error(`${path}.key`, 'IST-AP-CONDITION', '`key` must not be empty');
      return;
    }
    const values = list(when.values).map(text);
    const notValues = list(when.notValues).map(text);
    if (values.length === 0 && notValues.length === 0) {
      ctx.report.error(path, 'IST-AP-CONDITION', `at least one of \`values\` or \`notValues\` must be set for key ${key}`);
      return;
    }
    for (const [field, list_] of [['values', values], ['notValues', notValues]] as const) {
      const error = attributeError(key, list_);
      if (error) ctx.report.error(`${path}.${field}`, 'IST-AP-CONDITION', `invalid \`${field === 'values' ? 'value' : 'notValue'}\` for \`key\` ${key}: ${error}`);
    }
  }
}

/** `CheckServiceAccount`: ≤16 values, no wildcard, `sa` or `ns/sa`, ≤320 characters. */
function serviceAccountError(values: string[]): string | undefined {
  if (values.length > 16) return 'may not have more than 16 values';
  for (const value of values) {
    if (value === '') return 'empty value not allowed';
    if (value.includes('*')) return `wildcard not allowed in service account ${JSON.stringify(value)}; list the accounts`;
    if ((value.match(/\//g) ?? []).length > 1 || value.startsWith('/') || value.endsWith('/')) {
      return `expected format 'serviceAccount' or 'namespace/serviceAccount', found ${JSON.stringify(value)}`;
    }
    if (value.length > 320) return `value cannot exceed 320 characters, found ${JSON.stringify(value.slice(0, 40))}…`;
  }
  return undefined;
}

function isPort(s: string): boolean {
  return /^[0-9]+$/.test(s) && Number(s) <= 65535;
}

/** `security.ValidateAttribute`. */
function attributeError(key: string, values: string[]): string | undefined {
  if (values.some(v => v === '')) return `empty value not allowed, found in ${key}`;
  const mapKey = () => (/^[^[]+\[.+\]$/.test(key) ? undefined : `bad key (${key}): should have format a[b]`);
  const ips = () => values.find(v => !Names.isIpOrCidr(v)) !== undefined ? `bad IP address or CIDR range (${values.find(v => !Names.isIpOrCidr(v))})` : undefined;
  if (key.startsWith('request.headers') || key.startsWith('request.experimental.inline.headers')
    || key.startsWith('request.auth.claims') || key.startsWith('experimental.envoy.filters.')) return mapKey();
  switch (key) {
    case 'source.ip':
    case 'remote.ip':
    case 'destination.ip':
      return ips();
    case 'destination.port':
      return values.find(v => !isPort(v)) !== undefined ? `bad port (${values.find(v => !isPort(v))})` : undefined;
    case 'source.serviceAccount':
      return serviceAccountError(values);
    case 'source.namespace':
    case 'source.principal':
    case 'source.trustDomain':
    case 'request.auth.principal':
    case 'request.auth.audiences':
    case 'request.auth.presenter':
    case 'connection.sni':
      return undefined;
    case 'destination.namespace':
      return `attribute ${key} is replaced by the metadata.namespace: put the policy in that namespace`;
    case 'destination.name':
    case 'destination.user':
      return `deprecated attribute ${key}: only supported in v1alpha1`;
    default:
      if (key.startsWith('destination.labels')) return `attribute ${key} is replaced by the workload selector: use spec.selector.matchLabels`;
      return `unknown attribute: ${key}`;
  }
}

/** `CheckValidPathTemplate`: `{*}` and `{**}` segments, `{**}` last, literal segments only around templates. */
function pathTemplateError(path: string): string | undefined {
  const hasTemplate = path.includes('{*}') || path.includes('{**}');
  let matchAny = false;
  for (const glob of path.replace(/^\/+|\/+$/g, '').split('/')) {
    if ((glob === '{*}' || glob === '{**}') && matchAny) return `invalid or unsupported path ${path}: {**} is not the last operator`;
    if (glob === '{**}') {
      matchAny = true;
      continue;
    }
    if (glob === '{*}') continue;
    if (/[{}]/.test(glob)) return `invalid or unsupported path ${path}: contains '{' or '}' beyond a supported path template`;
    if (hasTemplate && !/^[a-zA-Z0-9-._~%!$&'()+,;:@=]+$/.test(glob)) {
      return `invalid or unsupported path ${path}: contains segment ${glob} with invalid string literal`;
    }
  }
  return undefined;
}
