import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { GatewayWorkload, GatewayWorkloadProps, IstioMesh } from '../../src';
import { ManifestValidator } from '../../src/validation/manifest-validator';
import { byKind, only, synthValid } from '../util';

function chart(namespace: string = 'istio-egress'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

function workload(c: Chart, props: Partial<GatewayWorkloadProps> = {}): GatewayWorkload {
  return new GatewayWorkload(c, 'gw', { name: 'istio-egressgateway', ...props });
}


describe('GatewayWorkload |', () => {
  test('defaults: the istio/gateway chart\'s workload with a ClusterIP Service carrying only the status port', () => {
    const c = chart();
    const gw = workload(c);
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();
    expect(manifests.map(m => m.kind)).toEqual(['ServiceAccount', 'Deployment', 'Service', 'HorizontalPodAutoscaler']);
    for (const m of manifests) expect(m.metadata.namespace).toEqual('istio-egress');

    const deployment = only(manifests, 'Deployment');
    const pod = deployment.spec.template;
    expect(pod.metadata.annotations).toEqual(expect.objectContaining({
      'inject.istio.io/templates': 'gateway',
      'sidecar.istio.io/inject': 'true',
    }));
    expect(pod.metadata.labels).toEqual(expect.objectContaining({
      'istio': 'egressgateway',
      'app': 'istio-egressgateway',
      'sidecar.istio.io/inject': 'true',
    }));
    expect(pod.metadata.labels['istio.io/rev']).toBeUndefined();
    expect(gw.podLabels).toEqual({ istio: 'egressgateway', app: 'istio-egressgateway' });
    // The autoscaler owns the replica count.
    expect(deployment.spec.replicas).toBeUndefined();

    expect(pod.spec.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]);
    expect(pod.spec.serviceAccountName).toEqual(only(manifests, 'ServiceAccount').metadata.name);
    expect(pod.spec.containers).toHaveLength(1);
    const [proxy] = pod.spec.containers;
    expect(proxy.name).toEqual('istio-proxy');
    expect(proxy.image).toEqual('auto');
    expect(proxy.imagePullPolicy).toEqual('IfNotPresent');
    // The chart's resources, not cdk8s-plus's 1-CPU defaults.
    expect(proxy.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } });
    expect(proxy.securityContext).toEqual(expect.objectContaining({
      runAsUser: 1337,
      runAsGroup: 1337,
      runAsNonRoot: true,
      privileged: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    }));
    // The injector supplies the probes; none may be auto-added.
    expect(proxy.startupProbe).toBeUndefined();
    expect(proxy.readinessProbe).toBeUndefined();
    expect(proxy.livenessProbe).toBeUndefined();
    expect(proxy.ports).toEqual([{ containerPort: 15090, name: 'http-envoy-prom' }]);

    const service = only(manifests, 'Service');
    expect(service.spec.type).toEqual('ClusterIP');
    expect(service.spec.ports).toEqual([{ name: 'http-status-port', port: 15021, targetPort: 15021, protocol: 'TCP' }]);
    // The Service selects exactly these pods.
    expect(Object.keys(service.spec.selector).length).toBeGreaterThan(0);
    expect(pod.metadata.labels).toEqual(expect.objectContaining(service.spec.selector));
    expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);

    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toEqual('autoscaling/v2');
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([1, 5]);
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
  });

  test('addPort exposes a port on the Service and the proxy container, once per number', () => {
    const c = chart();
    const gw = workload(c);
    gw.addPort(443);
    gw.addPort(443);
    gw.addPort(80, {});
    gw.addPort(8443, { targetPort: 9443, name: 'tls-partner' });
    gw.addPort(8443, { targetPort: 9443 });
    const manifests = synthValid(c);
    // Every port name tells Istio its protocol: not even a warning.
    expect(ManifestValidator.validateManifests(manifests)).toEqual([]);

    // By number, not in the order they were added.
    expect(only(manifests, 'Service').spec.ports).toEqual([
      { name: 'http2', port: 80, targetPort: 80, protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 443, protocol: 'TCP' },
      { name: 'tls-partner', port: 8443, targetPort: 9443, protocol: 'TCP' },
      { name: 'http-status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
    ]);
    const proxy = only(manifests, 'Deployment').spec.template.spec.containers[0];
    expect(proxy.ports.map((p: any) => p.containerPort)).toEqual([80, 443, 9443, 15090]);
    expect([80, 443, 8443, 15021, 5432].map(p => gw.targetPortOf(p))).toEqual([80, 443, 9443, 15021, undefined]);
    expect(gw.ports.map(p => p.port)).toEqual([80, 443, 8443, 15021]);
  });

  test('other ports are named tcp-<port>, and two Service ports may share a pod port', () => {
    const c = chart();
    const gw = workload(c);
    gw.addPort(5432);
    gw.addPort(6543, { targetPort: 5432, name: 'tcp-pg-alias' });
    const manifests = synthValid(c);
    expect(only(manifests, 'Service').spec.ports.slice(0, 2)).toEqual([
      { name: 'tcp-5432', port: 5432, targetPort: 5432, protocol: 'TCP' },
      { name: 'tcp-pg-alias', port: 6543, targetPort: 5432, protocol: 'TCP' },
    ]);
    const proxy = only(manifests, 'Deployment').spec.template.spec.containers[0];
    expect(proxy.ports.map((p: any) => p.containerPort)).toEqual([5432, 15090]);
  });

  test('fails when a port is added again with another target or name', () => {
    const gw = workload(chart());
    gw.addPort(443);
    expect(() => gw.addPort(443, { targetPort: 8443 })).toThrow(/test\/gw: port 443 is already exposed as 'https' → 443, not → 8443/);
    expect(() => gw.addPort(443, { name: 'tls' })).toThrow(/already exposed as 'https' → 443, not 'tls' → 443/);
  });

  test('fails on ports the proxy binds itself, and on non-ports', () => {
    const gw = workload(chart());
    expect(() => gw.addPort(15021)).toThrow(/port 15021 is used by the Istio proxy itself/);
    expect(() => gw.addPort(8080, { targetPort: 15090 })).toThrow(/targetPort 15090 is used by the Istio proxy itself/);
    expect(() => gw.addPort(0)).toThrow(/port 0 is not a port number \(1-65535\)/);
    expect(() => gw.addPort(70000)).toThrow(/port 70000 is not a port number/);
    expect(() => gw.addPort(80.5)).toThrow(/port 80.5 is not a port number/);
  });

  test('fails on a duplicate or invalid port name', () => {
    const gw = workload(chart());
    gw.addPort(8080, { name: 'http2' });
    expect(() => gw.addPort(80)).toThrow(/port 80 would be named 'http2', which port 8080 already uses; pass another name/);
    expect(() => gw.addPort(81, { name: 'HTTP_81' })).toThrow(/port name 'HTTP_81' must be a DNS-1123 label/);
  });

  test('grantSecretRead adds one Role (get/watch/list Secrets) bound to the gateway ServiceAccount', () => {
    const c = chart();
    const gw = workload(c);
    expect(byKind(synthValid(c), 'Role')).toEqual([]);
    const role = gw.grantSecretRead();
    expect(gw.grantSecretRead()).toBe(role);
    const manifests = synthValid(c);

    const roleManifest = only(manifests, 'Role');
    expect(roleManifest.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]);
    const binding = only(manifests, 'RoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleManifest.metadata.name });
    expect(binding.subjects).toEqual([{
      apiGroup: '', kind: 'ServiceAccount', name: only(manifests, 'ServiceAccount').metadata.name, namespace: 'istio-egress',
    }]);
    expect(binding.metadata.namespace).toEqual('istio-egress');
  });

  test('more than one required replica adds a PodDisruptionBudget over this Deployment\'s pods', () => {
    const c = chart();
    workload(c, { minReplicas: 2, maxReplicas: 10, targetCpuUtilizationPercent: 60 });
    const manifests = synthValid(c);

    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 10]);
    expect(hpa.spec.metrics[0].resource.target.averageUtilization).toEqual(60);
    const pdb = only(manifests, 'PodDisruptionBudget');
    expect(pdb.apiVersion).toEqual('policy/v1');
    expect(pdb.spec.maxUnavailable).toEqual(1);
    const deployment = only(manifests, 'Deployment');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toEqual(expect.objectContaining(pdb.spec.selector.matchLabels));
  });

  test('exactly one required replica: no PodDisruptionBudget (it would block drains or protect nothing)', () => {
    const c = chart();
    const gw = workload(c, { minReplicas: 1, maxReplicas: 1 });
    expect(gw.disruptionBudget).toBeUndefined();
    const manifests = synthValid(c);
    expect(byKind(manifests, 'PodDisruptionBudget')).toEqual([]);
    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([1, 1]);
  });

  test('dedicated egress nodes: node labels, taint tolerations, spread and priority', () => {
    const c = chart();
    workload(c, {
      nodeSelector: { 'node-role.example.com/egress': 'true', 'kubernetes.io/os': 'linux' },
      tolerations: [
        { key: 'dedicated', value: 'egress', effect: kplus.TaintEffect.NO_SCHEDULE },
        { key: 'egress-only' },
      ],
      spreadAcross: [kplus.Topology.HOSTNAME, kplus.Topology.ZONE],
      priorityClassName: 'egress-critical',
    });
    const manifests = synthValid(c);

    const spec = only(manifests, 'Deployment').spec.template.spec;
    // One required term holding every label: the pods need all of them, like a nodeSelector.
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{
      matchExpressions: [
        { key: 'node-role.example.com/egress', operator: 'In', values: ['true'] },
        { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
      ],
    }]);
    expect(spec.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'egress', effect: 'NoSchedule' },
      { key: 'egress-only', operator: 'Exists' },
    ]);
    // Preferred, never required: the autoscaler must be able to outgrow the number of dedicated nodes.
    const antiAffinity = spec.affinity.podAntiAffinity;
    expect(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.map((t: any) => [t.weight, t.podAffinityTerm.topologyKey]))
      .toEqual([[100, 'kubernetes.io/hostname'], [100, 'topology.kubernetes.io/zone']]);
    expect(spec.priorityClassName).toEqual('egress-critical');
  });

  test('name, labels, revision, ServiceAccount name, pull policy and Service type are applied', () => {
    const c = chart();
    const gw = workload(c, {
      istioLabel: 'ingressgateway',
      name: 'istio-ingressgateway',
      labels: { 'team': 'platform', 'example.com/tier': 'edge' },
      mesh: new IstioMesh({ revision: 'canary' }),
      serviceAccountName: 'ingress-gateway',
      imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
      serviceType: kplus.ServiceType.LOAD_BALANCER,
      minReplicas: 2,
    });
    gw.grantSecretRead();
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();

    expect(gw.podLabels).toEqual({ 'team': 'platform', 'example.com/tier': 'edge', 'istio': 'ingressgateway', 'app': 'istio-ingressgateway' });
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Role', 'RoleBinding']) {
      expect(only(manifests, kind).metadata.name).toEqual('istio-ingressgateway');
      expect(only(manifests, kind).metadata.labels).toEqual(gw.podLabels);
    }
    expect(only(manifests, 'ServiceAccount').metadata.name).toEqual('ingress-gateway');
    const pod = only(manifests, 'Deployment').spec.template;
    expect(pod.metadata.labels).toEqual(expect.objectContaining({ ...gw.podLabels, 'istio.io/rev': 'canary' }));
    expect(pod.spec.serviceAccountName).toEqual('ingress-gateway');
    expect(pod.spec.containers[0].imagePullPolicy).toEqual('Always');
    expect(only(manifests, 'Service').spec.type).toEqual('LoadBalancer');
  });

  test('resources are overridden per resource: memory alone keeps the chart\'s CPU', () => {
    const c = chart();
    workload(c, { resources: { memory: { request: Size.mebibytes(256), limit: Size.gibibytes(2) } } });
    const proxy = only(synthValid(c), 'Deployment').spec.template.spec.containers[0];
    expect(proxy.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '2000m', memory: '2048Mi' } });
  });

  test('an explicit namespace overrides the chart\'s', () => {
    const c = chart('apps');
    const gw = workload(c, { namespaceName: 'istio-egress' });
    gw.grantSecretRead();
    const manifests = synthValid(c);
    expect(gw.namespaceName).toEqual('istio-egress');
    expect(manifests.map(m => m.metadata.namespace)).toEqual(manifests.map(() => 'istio-egress'));
  });

  test('fails when there is no namespace', () => {
    expect(() => workload(new Chart(Testing.app(), 'test'))).toThrow(/test\/gw: a gateway workload needs a namespace: pass `namespace` or set it on the chart/);
  });

  test('fails on replica bounds the autoscaler cannot use', () => {
    expect(() => workload(chart(), { minReplicas: 3, maxReplicas: 2 }))
      .toThrow(/test\/gw: maxReplicas \(2\) must be a whole number no smaller than minReplicas \(3\)/);
    expect(() => workload(chart(), { minReplicas: 0 })).toThrow(/minReplicas must be a whole number of at least 1, got 0/);
    expect(() => workload(chart(), { maxReplicas: 2.5 })).toThrow(/maxReplicas \(2.5\) must be a whole number/);
    expect(() => workload(chart(), { targetCpuUtilizationPercent: 0 })).toThrow(/targetCpuUtilizationPercent must be a whole percentage of at least 1, got 0/);
  });

  test('fails when the CPU has neither request nor limit (the autoscaler divides by the request)', () => {
    expect(() => workload(chart(), { resources: { cpu: {} } })).toThrow(/resources.cpu needs a request or a limit/);
  });

  test('fails on invalid labels and names', () => {
    expect(() => workload(chart(), { istioLabel: 'egress gateway' }))
      .toThrow(/test\/gw: pod label 'istio' value 'egress gateway' is not a valid Kubernetes label value/);
    expect(() => workload(chart(), { appLabel: '-egress' })).toThrow(/pod label 'app' value '-egress' is not a valid/);
    expect(() => workload(chart(), { labels: { 'bad key!': 'x' } })).toThrow(/pod label key 'bad key!' is not a valid Kubernetes label key/);
    expect(() => workload(chart(), { labels: { istio: 'x' } })).toThrow(/labels must not set 'istio'; use appLabel, istioLabel or IstioMesh.revision/);
    expect(() => workload(chart(), { labels: { 'istio.io/rev': 'x' } })).toThrow(/labels must not set 'istio.io\/rev'/);
    expect(() => workload(chart(), { name: 'Egress_Gateway' })).toThrow(/name 'Egress_Gateway' must be a DNS-1035 label/);
    expect(() => workload(chart(), { name: '1-egress' })).toThrow(/name '1-egress' must be a DNS-1035 label/);
    expect(() => new IstioMesh({ revision: '1.30.3' })).toThrow(/IstioMesh: revision '1.30.3' is not a lower-case DNS-1123 label/);
    expect(() => workload(chart(), { serviceAccountName: 'Egress' })).toThrow(/serviceAccountName 'Egress' must be a DNS-1123 subdomain/);
    expect(() => workload(chart(), { priorityClassName: 'High_Priority' })).toThrow(/priorityClassName 'High_Priority' must be a DNS-1123 subdomain/);
    expect(() => workload(chart(), { nodeSelector: { 'node role': 'egress' } })).toThrow(/nodeSelector key 'node role' is not a valid Kubernetes label key/);
    expect(() => workload(chart(), { tolerations: [{ key: 'dedicated', value: 'egress nodes' }] }))
      .toThrow(/toleration 'dedicated' value 'egress nodes' is not a valid Kubernetes label value/);
  });

  test('fails on an ExternalName Service, which cannot select the gateway pods', () => {
    expect(() => workload(chart(), { serviceType: kplus.ServiceType.EXTERNAL_NAME }))
      .toThrow(/a gateway Service cannot be of type ExternalName/);
  });
});
