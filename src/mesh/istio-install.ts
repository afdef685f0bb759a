import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IstioMesh } from './istio-mesh';
import { ExistingEgressGatewayProps, GatewayInstall } from '../gateway/gateway-install';
import { renderResources, resolveGatewayOptions, ResolvedGatewayOptions, SPREAD_WEIGHT } from '../gateway/gateway-sizing';
import { GatewayWorkloadOptions } from '../gateway/gateway-workload-options';
import { checkDns1035Label, checkDns1123Label, checkLabels } from '../private/kubernetes-names';
import { validateAtSynth } from '../private/synth-validation';

/**
 * What sidecars do with traffic to hosts the mesh does not know (`meshConfig.outboundTrafficPolicy.mode`).
 */
export enum OutboundTrafficPolicyMode {
  /** Only hosts in the service registry (Services and ServiceEntries) are reachable. */
  REGISTRY_ONLY = 'REGISTRY_ONLY',
  /** Unknown hosts are passed through, bypassing every egress route. */
  ALLOW_ANY = 'ALLOW_ANY',
}

/**
 * The istioctl installation profile the settings start from (`spec.profile`).
 */
export enum IstioProfile {
  /** Production defaults: istiod and an ingress gateway. */
  DEFAULT = 'default',
  /** istiod only, no gateways: for meshes whose gateways are deployed separately (as this library does). */
  MINIMAL = 'minimal',
  /** Nothing; every component is named in the settings. */
  EMPTY = 'empty',
  /** Extra features and tracing for trying Istio out; not for production. */
  DEMO = 'demo',
  /** A cluster whose control plane runs elsewhere (multicluster). */
  REMOTE = 'remote',
  /** The ambient data plane (ztunnel, CNI) instead of sidecars. */
  AMBIENT = 'ambient',
}

/**
 * DNS proxying by the sidecars (`meshConfig.defaultConfig.proxyMetadata`).
 */
export interface DnsProxyOptions {
  /**
   * Give ServiceEntry hosts without `addresses` an address the sidecar answers DNS with
   * (`ISTIO_META_DNS_AUTO_ALLOCATE`), so opaque TCP entries on one port are told apart by address. Istio 1.30's
   * istiod also allocates addresses by default (`PILOT_ENABLE_IP_AUTOALLOCATE`); this is the sidecar's side of it.
   * @default true
   */
  readonly autoAllocateAddresses?: boolean;
}

/**
 * The egress gateway component of an istioctl install.
 */
export interface IstioInstallEgressGatewayOptions extends GatewayWorkloadOptions {
  /**
   * The component name, which names the gateway's Deployment and Service.
   * @default 'istio-egressgateway'
   */
  readonly name?: string;
  /**
   * The namespace istioctl installs the gateway in.
   * @default - the control plane's namespace
   */
  readonly namespaceName?: string;
  /**
   * The value of the pods' `istio` label, which Istio `Gateway` selectors match.
   * @default 'egressgateway'
   */
  readonly istioLabel?: string;
  /**
   * The value of the pods' `app` label.
   * @default - `name`
   */
  readonly appLabel?: string;
}

/**
 * Properties of an `IstioInstall`.
 */
export interface IstioInstallProps {
  /**
   * The mesh to install: its root namespace is the control plane's (where the IstioOperator document is placed),
   * its revision the revision installed, a trust domain other than `cluster.local` is set in `meshConfig`.
   * @default IstioMesh.DEFAULT
   */
  readonly mesh?: IstioMesh;
  /**
   * What sidecars do with traffic to unknown hosts. REGISTRY_ONLY makes an unregistered host fail instead of
   * silently leaving the mesh; it is not a security boundary on its own (a pod without a sidecar ignores it),
   * which is what NetworkPolicies are for.
   * @default OutboundTrafficPolicyMode.REGISTRY_ONLY
   */
  readonly outboundTrafficPolicy?: OutboundTrafficPolicyMode;
  /**
   * The istioctl profile the settings start from.
   * @default - istioctl's own default (`default`)
   */
  readonly profile?: IstioProfile;
  /**
   * DNS proxying in every sidecar (`ISTIO_META_DNS_CAPTURE`): the sidecar answers DNS for ServiceEntry hosts itself,
   * which is what makes a TCP ServiceEntry without addresses routable and resolves hosts no DNS server knows;
   * wildcard hosts still cannot be resolved (there is no single name to look up).
   * @default - off, as in Istio
   */
  readonly dnsProxy?: DnsProxyOptions;
  /**
   * Installs an egress gateway with the control plane, sized and placed by the same options as a deployed
   * `EgressGateway`. Reference it from a kubectl chart with
   * `EgressGateway.fromExisting(chart, id, install.egressGatewayReference())`.
   * @default - no egress gateway component (deploy one with `new EgressGateway(...)` instead)
   */
  readonly egressGateway?: IstioInstallEgressGatewayOptions;
}

/**
 * Mesh-wide install settings for `istioctl install`: an `install.istio.io/v1alpha1` IstioOperator document with the
 * outbound traffic policy and, optionally, the egress gateway component and its autoscaling.
 *
 * This is a chart of its own because its file is not for kubectl: synthesize it (it lands in
 * `dist/<id>.k8s.yaml`) and apply it with `istioctl install -f dist/<id>.k8s.yaml`, never with `kubectl apply`
 * (IstioOperator is an istioctl input; since Istio 1.24 no in-cluster operator reads it). Keep the gateway, routes
 * and lockdown in the charts you apply with kubectl. Synthesis fails if anything else is added to this chart.
 */
export class IstioInstall extends Chart {
  /** The IstioOperator document. */
  public readonly istioOperator: ApiObject;
  /** The outbound traffic policy the install sets. */
  public readonly outboundTrafficPolicy: OutboundTrafficPolicyMode;
  /** The mesh installed. */
  public readonly mesh: IstioMesh;

  private readonly egress?: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: { [key: string]: string };
  };

  public constructor(scope: Construct, id: string, props: IstioInstallProps = {}) {
    const mesh = props.mesh ?? IstioMesh.DEFAULT;
    const namespace = mesh.rootNamespace;
    super(scope, id, { namespace });
    const path = this.node.path;
    this.mesh = mesh;
    this.outboundTrafficPolicy = props.outboundTrafficPolicy ?? OutboundTrafficPolicyMode.REGISTRY_ONLY;

    let components: unknown;
    let values: unknown;
    if (props.egressGateway) {
      const gateway = props.egressGateway;
      const options = resolveGatewayOptions(path, gateway);
      const name = gateway.name ?? GatewayInstall.ISTIOCTL.serviceName;
      checkDns1035Label(path, 'egress gateway name', name);
      const gatewayNamespace = gateway.namespaceName ?? namespace;
      checkDns1123Label(path, 'egress gateway namespace', gatewayNamespace);
      const labels = { istio: gateway.istioLabel ?? 'egressgateway', app: gateway.appLabel ?? name };
      checkLabels(path, 'egress gateway label', labels);
      this.egress = { name, namespace: gatewayNamespace, labels };
      components = {
        egressGateways: [{
          name,
          namespace: gatewayNamespace,
          enabled: true,
          label: labels,
          k8s: renderK8s(options, labels),
        }],
      };
      // The chart values key is fixed: every egress gateway component renders the istio-egress chart with it.
      values = {
        gateways: {
          'istio-egressgateway': {
            autoscaleEnabled: true,
            autoscaleMin: options.minReplicas,
            autoscaleMax: options.maxReplicas,
            cpu: { targetAverageUtilization: options.targetCpuUtilizationPercent },
          },
        },
      };
    }

    this.istioOperator = new ApiObject(this, 'IstioOperator', {
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      spec: {
        profile: props.profile,
        revision: mesh.revision,
        meshConfig: {
          outboundTrafficPolicy: { mode: this.outboundTrafficPolicy },
          trustDomain: mesh.trustDomain === IstioMesh.DEFAULT.trustDomain ? undefined : mesh.trustDomain,
          defaultConfig: props.dnsProxy && {
            proxyMetadata: {
              ISTIO_META_DNS_CAPTURE: 'true',
              ...props.dnsProxy.autoAllocateAddresses ?? true ? { ISTIO_META_DNS_AUTO_ALLOCATE: 'true' } : {},
            },
          },
        },
        components,
        values,
      },
    });

    validateAtSynth(this);
    this.node.addValidation({ validate: () => this.validateOnlyOperator() });
  }

  /**
   * Properties for `EgressGateway.fromExisting` that match the egress gateway this install creates (its Service,
   * namespace, pod labels, ServiceAccount and istioctl's 80→8080, 443→8443 port mapping). Use them in a chart
   * applied with kubectl, not in this one.
   */
  public egressGatewayReference(): ExistingEgressGatewayProps {
    if (!this.egress) {
      throw new Error(`${this.node.path}: this install has no egress gateway; pass \`egressGateway\` to install one, `
        + 'or deploy one with new EgressGateway(...)');
    }
    return {
      install: GatewayInstall.ISTIOCTL,
      mesh: this.mesh,
      serviceName: this.egress.name,
      namespaceName: this.egress.namespace,
      podLabels: { ...this.egress.labels },
      // The istio-egress chart's naming.
      serviceAccountName: `${this.egress.name}-service-account`,
    };
  }

  private validateOnlyOperator(): string[] {
    const neighbours = this.node.scope?.node.children.filter(c => c !== this && Chart.isChart(c)) ?? [];
    if (neighbours.length > 0) {
      return [`IstioInstall ${this.node.path} shares its App with ${neighbours.map(c => c.node.path).join(', ')}, so its `
        + 'file would land beside the kubectl manifests, where `kubectl apply -f` would send it to the cluster (which '
        + 'has no IstioOperator API): synthesize it in an App of its own, e.g. new App({ outdir: \'dist-istioctl\' })'];
    }
    return this.node.findAll()
      .filter(c => ApiObject.isApiObject(c) && c !== this.istioOperator)
      .map(c => `${c.node.path} is in IstioInstall chart ${this.node.path}, whose file is applied with istioctl, `
        + 'which ignores it; put it in a chart applied with kubectl');
  }
}

/** The component's `k8s` settings (KubernetesResourcesSpec): resources and placement; autoscaling is in values. */
function renderK8s(options: ResolvedGatewayOptions, labels: { [key: string]: string }): { [key: string]: unknown } {
  const k8s: { [key: string]: unknown } = { resources: renderResources(options.resources) };
  if (Object.keys(options.nodeSelector).length > 0) k8s.nodeSelector = options.nodeSelector;
  if (options.tolerations.length > 0) {
    k8s.tolerations = options.tolerations.map(t => ({
      key: t.key,
      operator: t.value === undefined ? 'Exists' : 'Equal',
      value: t.value,
      effect: t.effect,
    }));
  }
  if (options.spreadAcross.length > 0) {
    // The same preferred self-anti-affinity a deployed gateway gets from cdk8s-plus `scheduling.spread`.
    k8s.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: options.spreadAcross.map(topology => ({
          weight: SPREAD_WEIGHT,
          podAffinityTerm: { topologyKey: topology.key, labelSelector: { matchLabels: labels } },
        })),
      },
    };
  }
  if (options.priorityClassName !== undefined) k8s.priorityClassName = options.priorityClassName;
  return k8s;
}
