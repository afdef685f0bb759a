import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  EgressGateway, EgressRoute, EgressTls, ExternalPort, ExternalService, GatewayInstall, IEgressGateway, IstioMesh,
} from '../../src';
import { ManifestValidator } from '../../src/validation/manifest-validator';
import { byKind, only, synthValid } from '../util';

/** Apps live in `apps`; the gateway gets its own namespace, as in the dedicated-node design. */
function chart(namespace: string = 'apps'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}


function zhihu(c: Chart): ExternalService {
  return new ExternalService(c, 'zhihu', {
    hosts: ['zhihu.com', 'www.zhihu.com'],
    ports: [ExternalPort.http(), ExternalPort.https()],
  });
}

function route(c: Chart, gateway: IEgressGateway, ports: number[] = [443]): EgressRoute {
  // Lockdown is another construct's job; these tests are about the gateway.
  return new EgressRoute(c, 'zhihu-route', { gateway, service: zhihu(c), ports, allowUnlockedMesh: true });
}

describe('EgressGateway |', () => {
  test('deployed on dedicated nodes with autoscaling and a budget, carrying an EgressRoute', () => {
    const c = chart();
    const gateway = new EgressGateway(c, 'egress', {
      namespaceName: 'istio-egress',
      minReplicas: 2,
      maxReplicas: 6,
      nodeSelector: { 'node-role.example.com/egress': 'true' },
      tolerations: [{ key: 'dedicated', value: 'egress', effect: kplus.TaintEffect.NO_SCHEDULE }],
      spreadAcross: [kplus.Topology.HOSTNAME],
    });
    route(c, gateway);
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();
    // Not even a warning: synthValid fails on errors only.
    expect(ManifestValidator.validateManifests(manifests)).toEqual([]);

    const service = only(manifests, 'Service');
    const deployment = only(manifests, 'Deployment');
    const pod = deployment.spec.template;
    expect(service.metadata.namespace).toEqual('istio-egress');
    expect(service.spec.type).toEqual('ClusterIP');
    // The route's port was added to the Service and the pods; nothing else but the status port is open.
    expect(service.spec.ports).toEqual([
      { name: 'https', port: 443, targetPort: 443, protocol: 'TCP' },
      { name: 'http-status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
    ]);
    expect(pod.spec.containers[0].ports.map((p: any) => p.containerPort)).toEqual([443, 15090]);
    expect(gateway.targetPortOf(443)).toEqual(443);
    expect(gateway.targetPortOf(80)).toBeUndefined();

    // One name for every object of the gateway, as the istio/gateway chart names them after its release.
    expect(gateway.name).toEqual('istio-egressgateway');
    for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Gateway']) {
      expect([kind, only(manifests, kind).metadata.name]).toEqual([kind, 'istio-egressgateway']);
    }
    // The hop rule adds whom its subsets serve: here the namespaces that see the route, digested.
    expect(only(manifests, 'DestinationRule').metadata.name).toMatch(/^istio-egressgateway-hop-[0-9a-f]{6}$/);
    expect(gateway.serviceHost).toEqual(`${service.metadata.name}.istio-egress.svc.cluster.local`);
    expect(gateway.serviceAccountName).toEqual(only(manifests, 'ServiceAccount').metadata.name);
    expect(pod.spec.serviceAccountName).toEqual(gateway.serviceAccountName);

    // The Istio Gateway selects the pods by podLabels, and the Service selects exactly these pods.
    expect(gateway.podLabels).toEqual({ istio: 'egressgateway', app: 'istio-egressgateway' });
    expect(pod.metadata.labels).toEqual(expect.objectContaining(gateway.podLabels));
    const istioGateway = only(manifests, 'Gateway');
    expect(istioGateway.metadata.namespace).toEqual('istio-egress');
    expect(istioGateway.spec.selector).toEqual(gateway.podLabels);
    expect(pod.metadata.labels).toEqual(expect.objectContaining(service.spec.selector));
    expect(istioGateway.spec.servers.map((s: any) => s.port.number)).toEqual([443, 443]);
    expect(only(manifests, 'DestinationRule').spec.host).toEqual(gateway.serviceHost);

    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 6]);
    expect(only(manifests, 'PodDisruptionBudget').spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual([{ key: 'node-role.example.com/egress', operator: 'In', values: ['true'] }]);
    expect(pod.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'egress', effect: 'NoSchedule' }]);
    // No credential Secrets are read until a route needs them.
    expect(byKind(manifests, 'Role')).toEqual([]);
  });

  test('routes add their ports as they come: 80 and a TLS port beyond the chart\'s two', () => {
    const c = chart('istio-egress');
    const gateway = new EgressGateway(c, 'egress');
    route(c, gateway, [80, 443]);
    const partner = new ExternalService(c, 'partner', { hosts: ['api.partner.example'], ports: [ExternalPort.tls(8443)] });
    new EgressRoute(c, 'partner-route', { gateway, service: partner, allowUnlockedMesh: true });
    const manifests = synthValid(c);

    expect(only(manifests, 'Service').spec.ports.map((p: any) => [p.name, p.port, p.targetPort])).toEqual([
      ['http2', 80, 80], ['https', 443, 443], ['tcp-8443', 8443, 8443], ['http-status-port', 15021, 15021],
    ]);
    expect([80, 443, 8443].map(p => gateway.targetPortOf(p))).toEqual([80, 443, 8443]);
    // One replica at least by default: no budget.
    expect(byKind(manifests, 'PodDisruptionBudget')).toEqual([]);
  });

  test('a route with mutual TLS origination makes a deployed gateway read Secrets, once; a referenced gateway adds nothing', () => {
    const tls = EgressTls.originateMutual({ credentialName: 'partner-client' });
    const partner = (c: Chart) => new ExternalService(c, 'partner', {
      hosts: ['api.partner.example', 'b.partner.example'], ports: [ExternalPort.http(), ExternalPort.https()],
    });
    const c = chart('istio-egress');
    const gateway = new EgressGateway(c, 'egress');
    const service = partner(c);
    new EgressRoute(c, 'via-deployed', { gateway, service, ports: [80], hosts: ['api.partner.example'], tls, allowUnlockedMesh: true });
    new EgressRoute(c, 'via-deployed-too', { gateway, service, ports: [80], hosts: ['b.partner.example'], tls, allowUnlockedMesh: true });
    expect(gateway.grantSecretRead()).toBe(gateway.grantSecretRead());
    const manifests = synthValid(c);
    expect(byKind(manifests, 'Role')).toHaveLength(1);
    expect(only(manifests, 'Role').metadata.name).toEqual('istio-egressgateway');
    expect(only(manifests, 'RoleBinding').subjects[0].name).toEqual(gateway.serviceAccountName);

    const referenced = chart('apps');
    new EgressRoute(referenced, 'via-existing', {
      gateway: EgressGateway.fromExisting(referenced, 'existing'), service: partner(referenced), ports: [80], tls, allowUnlockedMesh: true,
    });
    expect(byKind(synthValid(referenced), 'Role')).toEqual([]);
  });

  test('name, the chart\'s istio label derived from it, and the mesh revision', () => {
    const c = chart('istio-egress');
    const gateway = new EgressGateway(c, 'egress', { name: 'egress-pci', mesh: new IstioMesh({ revision: 'stable' }) });
    route(c, gateway);
    const manifests = synthValid(c);
    expect(gateway.podLabels).toEqual({ istio: 'egress-pci', app: 'egress-pci' });
    expect(gateway.name).toEqual('egress-pci');
    expect(new EgressGateway(chart('istio-egress'), 'g', { name: 'istio-egress-pci' }).podLabels)
      .toEqual({ istio: 'egress-pci', app: 'istio-egress-pci' });
    expect(only(manifests, 'Gateway').spec.selector).toEqual({ istio: 'egress-pci', app: 'egress-pci' });
    expect(only(manifests, 'Deployment').spec.template.metadata.labels['istio.io/rev']).toEqual('stable');
    expect(only(manifests, 'DestinationRule').spec.host).toEqual('egress-pci.istio-egress.svc.cluster.local');
  });

  test('fails when a route asks for a port the proxy uses itself, naming the route', () => {
    const c = chart('istio-egress');
    const gateway = new EgressGateway(c, 'egress');
    const svc = new ExternalService(c, 'svc', { hosts: ['a.example.com'], ports: [ExternalPort.https(15090)] });
    expect(() => new EgressRoute(c, 'some-route', { gateway, service: svc, allowUnlockedMesh: true }))
      .toThrow(/^test\/some-route: cannot route through egress gateway test\/egress: test\/egress\/Workload: port 15090 is used by the Istio proxy itself/);
  });

  test('fails when there is no namespace', () => {
    expect(() => new EgressGateway(new Chart(Testing.app(), 'test'), 'egress'))
      .toThrow(/test\/egress\/Workload: a gateway workload needs a namespace/);
  });

  test('fails on invalid sizing, like the workload', () => {
    expect(() => new EgressGateway(chart(), 'egress', { minReplicas: 4, maxReplicas: 2 }))
      .toThrow(/maxReplicas \(2\) must be a whole number no smaller than minReplicas \(4\)/);
    expect(() => new EgressGateway(chart(), 'egress', { istioLabel: 'egress/gateway' }))
      .toThrow(/pod label 'istio' value 'egress\/gateway' is not a valid Kubernetes label value/);
  });
});

describe('EgressGateway.fromExisting |', () => {
  test('istioctl: istio-egressgateway in istio-system, 80→8080 and 443→8443, carrying an EgressRoute', () => {
    const c = chart();
    const gateway = EgressGateway.fromExisting(c, 'egress');
    route(c, gateway, [80, 443]);
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();
    // The Gateway and DestinationRule name a gateway the manifests do not contain; istioctl installed it.
    expect(ManifestValidator.validateManifests(manifests)).toEqual([]);

    // Nothing of the workload is emitted: istioctl owns it.
    for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'HorizontalPodAutoscaler']) {
      expect(byKind(manifests, kind)).toEqual([]);
    }
    expect([80, 443, 8443].map(p => gateway.targetPortOf(p))).toEqual([8080, 8443, undefined]);
    expect(gateway.serviceHost).toEqual('istio-egressgateway.istio-system.svc.cluster.local');
    expect(gateway.serviceAccountName).toEqual('istio-egressgateway-service-account');
    const istioGateway = only(manifests, 'Gateway');
    expect(istioGateway.metadata.namespace).toEqual('istio-system');
    expect(istioGateway.spec.selector).toEqual({ istio: 'egressgateway', app: 'istio-egressgateway' });
    expect(only(manifests, 'DestinationRule').spec.host).toEqual('istio-egressgateway.istio-system.svc.cluster.local');
  });

  test('Helm: the release names the Service and labels, 80→80 and 443→443', () => {
    const c = chart();
    const gateway = EgressGateway.fromExisting(c, 'egress', { install: GatewayInstall.helm('istio-egress-pci', 'egress-pci') });
    route(c, gateway);
    const manifests = synthValid(c);

    expect([80, 443].map(p => gateway.targetPortOf(p))).toEqual([80, 443]);
    expect(gateway.namespaceName).toEqual('egress-pci');
    expect(gateway.podLabels).toEqual({ istio: 'egress-pci', app: 'istio-egress-pci' });
    expect(only(manifests, 'Gateway').spec.selector).toEqual({ istio: 'egress-pci', app: 'istio-egress-pci' });
    expect(only(manifests, 'DestinationRule').spec.host).toEqual('istio-egress-pci.egress-pci.svc.cluster.local');
  });

  test('fails when a route needs a port the existing Service does not expose', () => {
    const c = chart();
    const gateway = EgressGateway.fromExisting(c, 'egress');
    const partner = new ExternalService(c, 'partner', { hosts: ['api.partner.example'], ports: [ExternalPort.https(8443)] });
    expect(() => new EgressRoute(c, 'partner-route', {
      gateway, service: partner, tls: EgressTls.passthrough(), allowUnlockedMesh: true,
    })).toThrow(/^test\/partner-route: the existing egress gateway istio-egressgateway.istio-system does not expose port 8443 \(it exposes 80, 443\)/);
  });
});
