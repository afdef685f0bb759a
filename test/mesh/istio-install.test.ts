import { ApiObject, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  EgressGateway, EgressRoute, ExternalPort, ExternalService, GatewayInstall, GatewayWorkloadOptions, IstioInstall, IstioMesh,
  OutboundTrafficPolicyMode,
} from '../../src';
import { byKind, only, synthValid } from '../util';


describe('IstioInstall |', () => {
  test('defaults: an IstioOperator that only sets REGISTRY_ONLY', () => {
    const install = new IstioInstall(Testing.app(), 'istio');
    const manifests = synthValid(install);
    expect(manifests).toMatchSnapshot();

    expect(manifests).toHaveLength(1);
    const [operator] = manifests;
    expect([operator.apiVersion, operator.kind]).toEqual(['install.istio.io/v1alpha1', 'IstioOperator']);
    expect(operator.metadata.namespace).toEqual('istio-system');
    expect(operator.spec).toEqual({ meshConfig: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } } });
    expect(install.outboundTrafficPolicy).toEqual(OutboundTrafficPolicyMode.REGISTRY_ONLY);
  });

  test('ALLOW_ANY only when asked for; the mesh gives the namespace, revision and trust domain', () => {
    const install = new IstioInstall(Testing.app(), 'istio', {
      outboundTrafficPolicy: OutboundTrafficPolicyMode.ALLOW_ANY,
      mesh: new IstioMesh({ revision: 'canary', rootNamespace: 'istio-control', trustDomain: 'example.org' }),
    });
    const [operator] = synthValid(install);
    expect(operator.metadata.namespace).toEqual('istio-control');
    expect(operator.spec).toEqual({
      revision: 'canary',
      meshConfig: { outboundTrafficPolicy: { mode: 'ALLOW_ANY' }, trustDomain: 'example.org' },
    });
  });

  test('seed 000: the egress gateway component with autoscaling in values.gateways.istio-egressgateway', () => {
    const install = new IstioInstall(Testing.app(), 'istio', { egressGateway: {} });
    const manifests = synthValid(install);
    expect(manifests).toMatchSnapshot();

    const { spec } = only(manifests, 'IstioOperator');
    expect(spec.meshConfig.outboundTrafficPolicy.mode).toEqual('REGISTRY_ONLY');
    expect(spec.components.egressGateways).toEqual([{
      name: 'istio-egressgateway',
      namespace: 'istio-system',
      enabled: true,
      label: { istio: 'egressgateway', app: 'istio-egressgateway' },
      k8s: { resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } } },
    }]);
    expect(spec.values).toEqual({
      gateways: {
        'istio-egressgateway': { autoscaleEnabled: true, autoscaleMin: 1, autoscaleMax: 5, cpu: { targetAverageUtilization: 80 } },
      },
    });
  });

  test('renders the same sizing and placement a deployed EgressGateway gets from the same options', () => {
    const options: GatewayWorkloadOptions = {
      minReplicas: 2,
      maxReplicas: 8,
      targetCpuUtilizationPercent: 70,
      resources: {
        cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.units(1) },
        memory: { limit: Size.mebibytes(512) },
        ephemeralStorage: { limit: Size.gibibytes(2) },
      },
      nodeSelector: { 'node-role.example.com/egress': 'true' },
      tolerations: [{ key: 'dedicated', value: 'egress', effect: kplus.TaintEffect.NO_SCHEDULE }, { key: 'egress-only' }],
      spreadAcross: [kplus.Topology.ZONE],
      priorityClassName: 'egress-critical',
    };
    const install = new IstioInstall(Testing.app(), 'istio', { egressGateway: { ...options, namespaceName: 'istio-egress' } });
    const deployed = new Chart(Testing.app(), 'deployed', { namespace: 'istio-egress' });
    new EgressGateway(deployed, 'egress', options);
    const operator = only(synthValid(install), 'IstioOperator');
    expect(operator).toMatchSnapshot();
    const manifests = synthValid(deployed);

    const component = operator.spec.components.egressGateways[0];
    const values = operator.spec.values.gateways['istio-egressgateway'];
    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect([values.autoscaleMin, values.autoscaleMax, values.cpu.targetAverageUtilization])
      .toEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas, hpa.spec.metrics[0].resource.target.averageUtilization]);
    expect([values.autoscaleMin, values.autoscaleMax, values.cpu.targetAverageUtilization]).toEqual([2, 8, 70]);

    const pod = only(manifests, 'Deployment').spec.template.spec;
    expect(component.namespace).toEqual('istio-egress');
    expect(component.k8s.resources).toEqual(pod.containers[0].resources);
    expect(component.k8s.resources).toEqual({ requests: { cpu: '250m' }, limits: { 'cpu': '1', 'memory': '512Mi', 'ephemeral-storage': '2Gi' } });
    expect(component.k8s.tolerations).toEqual(pod.tolerations);
    expect(component.k8s.nodeSelector).toEqual({ 'node-role.example.com/egress': 'true' });
    expect(component.k8s.priorityClassName).toEqual(pod.priorityClassName);
    expect(component.k8s.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([{
      weight: 100,
      podAffinityTerm: { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: component.label } },
    }]);
  });

  test('egressGatewayReference: a kubectl chart routes through the gateway this install creates', () => {
    // Two apps, as istioctl's input and kubectl's manifests go to different folders.
    const install = new IstioInstall(Testing.app(), 'istio', {
      egressGateway: { name: 'egress-pci', namespaceName: 'istio-egress', istioLabel: 'egress-pci' },
    });
    const apps = new Chart(Testing.app(), 'apps', { namespace: 'apps' });
    const gateway = EgressGateway.fromExisting(apps, 'egress', install.egressGatewayReference());
    const service = new ExternalService(apps, 'zhihu', { hosts: ['zhihu.com'], ports: [ExternalPort.https()] });
    new EgressRoute(apps, 'zhihu-route', { gateway, service, allowUnlockedMesh: true });
    const component = only(synthValid(install), 'IstioOperator').spec.components.egressGateways[0];
    const manifests = synthValid(apps);

    expect(install.egressGatewayReference().install).toBe(GatewayInstall.ISTIOCTL);
    expect(gateway.serviceHost).toEqual(`${component.name}.${component.namespace}.svc.cluster.local`);
    expect(gateway.serviceAccountName).toEqual('egress-pci-service-account');
    expect(gateway.targetPortOf(443)).toEqual(8443);
    expect(only(manifests, 'Gateway').spec.selector).toEqual(component.label);
    expect(only(manifests, 'Gateway').metadata.namespace).toEqual('istio-egress');
    // The IstioOperator stays out of the kubectl chart.
    expect(byKind(manifests, 'IstioOperator')).toEqual([]);
  });

  test('fails when asked for the egress gateway reference without an egress gateway', () => {
    const install = new IstioInstall(Testing.app(), 'istio');
    expect(() => install.egressGatewayReference()).toThrow(/^istio: this install has no egress gateway; pass `egressGateway`/);
  });

  test('fails when it shares an App with charts kubectl applies, saying where it belongs', () => {
    const app = Testing.app();
    const install = new IstioInstall(app, 'istio');
    new Chart(app, 'apps', { namespace: 'apps' });
    expect(() => synthValid(install)).toThrow(/\[istio\] IstioInstall istio shares its App with apps, so its file would land beside the kubectl manifests.*new App\(\{ outdir: 'dist-istioctl' \}\)/);
  });

  test('fails when anything but the IstioOperator is added to its chart', () => {
    const install = new IstioInstall(Testing.app(), 'istio');
    new ApiObject(install, 'stray', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(() => synthValid(install)).toThrow(/istio\/stray is in IstioInstall chart istio, whose file is applied with istioctl/);
  });

  test('fails on invalid sizing, names and revision', () => {
    expect(() => new IstioInstall(Testing.app(), 'istio', { egressGateway: { minReplicas: 3, maxReplicas: 1 } }))
      .toThrow(/^istio: maxReplicas \(1\) must be a whole number no smaller than minReplicas \(3\)/);
    expect(() => new IstioInstall(Testing.app(), 'istio', { mesh: new IstioMesh({ revision: '1-30.3' }) }))
      .toThrow(/IstioMesh: revision '1-30.3' is not a lower-case DNS-1123 label/);
    expect(() => new IstioInstall(Testing.app(), 'istio', { egressGateway: { name: 'Egress' } }))
      .toThrow(/egress gateway name 'Egress' must be a DNS-1035 label/);
    expect(() => new IstioInstall(Testing.app(), 'istio', { egressGateway: { istioLabel: 'egress gateway' } }))
      .toThrow(/egress gateway label 'istio' value 'egress gateway' is not a valid Kubernetes label value/);
    expect(() => new IstioInstall(Testing.app(), 'istio', { egressGateway: { namespaceName: 'Istio_Egress' } }))
      .toThrow(/egress gateway namespace 'Istio_Egress' must be a DNS-1123 label/);
  });
});
