import {
  configMap, deployment, hpa, namespace, networkPolicy, patch, pdb, role, roleBinding, service, serviceAccount, serviceEntry, withField,
} from './fixtures';
import { Severity } from '../../src/validation/finding';
import { ManifestValidator } from '../../src/validation/manifest-validator';

const { ERROR, WARNING } = Severity;
const container = deployment.spec.template.spec.containers[0];
const withContainer = (changes: any) => withField(deployment, 'spec.template.spec.containers', [{ ...container, ...changes }]);

/** Mutations of valid objects, one API server rule each: [rule, severity, bad object]. */
const CASES: [string, Severity, any][] = [
  // ObjectMeta, every kind (Istio custom resources included).
  ['K8S-NAME', ERROR, withField(service, 'metadata.name', '1-starts-with-a-digit')],
  ['K8S-NAME', ERROR, withField(configMap, 'metadata.name', 'Upper_Case')],
  ['K8S-NAME', ERROR, withField(serviceEntry, 'metadata.name', undefined)],
  ['K8S-NAMESPACE-NAME', ERROR, withField(configMap, 'metadata.namespace', 'apps.prod')],
  ['K8S-LABEL', ERROR, withField(serviceAccount, 'metadata.labels', { app: 'a value with spaces' })],
  ['K8S-LABEL', ERROR, withField(serviceEntry, 'metadata.labels', { 'bad/key/twice': 'x' })],
  ['K8S-ANNOTATION', ERROR, withField(namespace, 'metadata.annotations', { 'not a key': 'x' })],

  // Service.
  ['K8S-SERVICE', ERROR, withField(service, 'spec', { type: 'ExternalName' })],
  ['K8S-SERVICE-PORT', ERROR, withField(service, 'spec.ports', [])],
  ['K8S-SERVICE-PORT', ERROR, withField(service, 'spec.ports', [{ name: 'a', port: 443 }, { name: 'b', port: 443 }])],
  ['K8S-SERVICE-PORT-NAME', ERROR, withField(service, 'spec.ports', [{ name: 'tls', port: 443 }, { port: 80 }])],
  ['K8S-SERVICE-PORT-NAME', ERROR, withField(service, 'spec.ports', [{ name: 'TLS', port: 443 }])],
  ['K8S-PORT-RANGE', ERROR, withField(service, 'spec.ports', [{ name: 'tls', port: 443, targetPort: 70000 }])],
  ['K8S-PORT-RANGE', ERROR, withField(service, 'spec.ports', [{ name: 'tls', port: 443, targetPort: 'a-very-long-port-name' }])],
  ['K8S-SELECTOR', ERROR, withField(service, 'spec.selector', { app: 'not valid!' })],
  ['IST-SERVICE-PORT-PROTOCOL', WARNING, withField(service, 'spec.ports', [{ name: 'web', port: 80 }])],

  // Deployment and its pod template.
  ['K8S-DEPLOYMENT', ERROR, withField(deployment, 'spec.replicas', -1)],
  ['K8S-DEPLOYMENT', ERROR, withField(deployment, 'spec.strategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } })],
  ['K8S-DEPLOYMENT-SELECTOR', ERROR, withField(deployment, 'spec.selector.matchLabels', { istio: 'egress-gateway' })],
  ['K8S-DEPLOYMENT-SELECTOR', ERROR, withField(deployment, 'spec.selector', {})],
  ['K8S-CONTAINER', ERROR, withContainer({ image: undefined })],
  ['K8S-CONTAINER', ERROR, withContainer({ name: 'istio_proxy' })],
  ['K8S-CONTAINER', ERROR, withField(deployment, 'spec.template.spec.containers', [])],
  ['K8S-CONTAINER-PORT', ERROR, withContainer({ ports: [{ name: 'http-envoy-prometheus', containerPort: 15090 }] })],
  ['K8S-CONTAINER-PORT', WARNING, withContainer({ ports: [{ containerPort: 8443 }, { containerPort: 8443 }] })],
  ['K8S-PORT-RANGE', ERROR, withContainer({ ports: [{ containerPort: 0 }] })],
  ['K8S-ENV', ERROR, withContainer({ env: [{ name: '1ST', value: 'x' }] })],
  ['K8S-VOLUME', ERROR, withContainer({ volumeMounts: [{ name: 'certs', mountPath: '/etc/certs' }] })],
  ['K8S-RESOURCES', ERROR, withContainer({ resources: { requests: { cpu: '2' }, limits: { cpu: '500m' } } })],
  ['K8S-PROBE', ERROR, withContainer({ readinessProbe: { periodSeconds: 5 } })],

  // NetworkPolicy.
  ['K8S-NETPOL-PORT', ERROR, withField(networkPolicy, 'spec.egress.0.ports', [{ port: 0, protocol: 'TCP' }])],
  ['K8S-NETPOL-PORT', ERROR, withField(networkPolicy, 'spec.egress.0.ports', [{ port: 8000, endPort: 7000 }])],
  ['K8S-NETPOL-PORT', ERROR, withField(networkPolicy, 'spec.egress.0.ports', [{ protocol: 'ICMP' }])],
  ['K8S-NETPOL-PEER', ERROR, withField(networkPolicy, 'spec.egress.0.to', [{ ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }])],
  ['K8S-NETPOL-PEER', ERROR, withField(networkPolicy, 'spec.egress.0.to', [{ ipBlock: { cidr: '10.0.0.1' } }])],
  ['K8S-NETPOL-PEER', ERROR, withField(networkPolicy, 'spec.egress.0.to', [{}])],
  ['K8S-NETPOL-OPEN-EGRESS', WARNING, withField(networkPolicy, 'spec.egress.0.to', undefined)],
  ['K8S-NETPOL', ERROR, withField(networkPolicy, 'spec.policyTypes', ['Outbound'])],
  ['K8S-SELECTOR', ERROR, withField(networkPolicy, 'spec.podSelector', { matchExpressions: [{ key: 'app', operator: 'In' }] })],

  // HorizontalPodAutoscaler, PodDisruptionBudget.
  ['K8S-HPA', ERROR, withField(hpa, 'spec.maxReplicas', 1)],
  ['K8S-HPA', ERROR, withField(hpa, 'spec.metrics', [{ type: 'Resource' }])],
  ['K8S-PDB', ERROR, withField(pdb, 'spec.maxUnavailable', 1)],
  ['K8S-PDB', ERROR, withField(pdb, 'spec.minAvailable', '150%')],

  // RBAC.
  ['K8S-RBAC-RULE', ERROR, withField(role, 'rules', [{ apiGroups: [''], resources: ['secrets'], verbs: [] }])],
  ['K8S-RBAC-RULE', ERROR, withField(role, 'rules', [{ resources: ['secrets'], verbs: ['get'] }])],
  ['K8S-RBAC-BINDING', ERROR, withField(roleBinding, 'roleRef.apiGroup', 'rbac.authorization.k8s.io/v1')],
  ['K8S-RBAC-BINDING', ERROR, withField(roleBinding, 'subjects', [{ kind: 'ServiceAccount', name: 'egress', apiGroup: 'rbac.authorization.k8s.io' }])],

  // ConfigMap.
  ['K8S-CONFIGMAP-KEY', ERROR, withField(configMap, 'data', { 'mesh config': 'x' })],
];

describe('Kubernetes rules |', () => {
  test.each([
    ['Service', service], ['Deployment', deployment], ['NetworkPolicy', networkPolicy], ['HorizontalPodAutoscaler', hpa],
    ['PodDisruptionBudget', pdb], ['Role', role], ['RoleBinding', roleBinding], ['ConfigMap', configMap], ['ServiceAccount', serviceAccount],
    ['Namespace', namespace],
  ])('the valid %s has no findings', (_kind, manifest) => {
    expect(ManifestValidator.formatFindings(ManifestValidator.validateManifests([manifest]))).toEqual('no findings');
  });

  test.each(CASES.map(([rule, severity, manifest], i) => [`${rule} #${i}`, rule, severity, manifest] as const))(
    'fails with %s', (_name, rule, severity, manifest) => {
      expect(ManifestValidator.validateManifests([manifest])).toContainEqual(expect.objectContaining({ rule, severity }));
    });

  test('NetworkPolicy port 0 (cdk8s-plus allTcp()) says how to fix it', () => {
    const bad = withField(networkPolicy, 'spec.egress.0.ports', [{ port: 0, protocol: 'TCP' }]);
    const finding = ManifestValidator.validateManifests([bad]).find(f => f.rule === 'K8S-NETPOL-PORT')!;
    expect(finding.path).toEqual('spec.egress[0].ports[0].port');
    expect(finding.message).toMatch(/allTcp\(\)/);
    expect(finding.message).toMatch(/omit port/);
  });

  test('Istio reserved names are fine: RBAC names may contain colons', () => {
    const findings = ManifestValidator.validateManifests([withField(role, 'metadata.name', 'system:istio:read')]);
    expect(findings.filter(f => f.rule === 'K8S-NAME')).toEqual([]);
  });

  test('a Service name is a DNS-1035 label but a Deployment name may contain dots', () => {
    expect(ManifestValidator.validateManifests([withField(deployment, 'metadata.name', 'egress.v2')]).filter(f => f.rule === 'K8S-NAME')).toEqual([]);
    expect(ManifestValidator.validateManifests([patch(service, { metadata: { name: 'egress.v2' } })])).toContainEqual(expect.objectContaining({ rule: 'K8S-NAME' }));
  });
});
