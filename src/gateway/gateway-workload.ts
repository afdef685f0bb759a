import { ApiObject, Duration, JsonPatch, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { GatewayServicePort } from './gateway-install';
import { resolveGatewayOptions, SPREAD_WEIGHT } from './gateway-sizing';
import { GatewayDeploymentOptions } from './gateway-workload-options';
import { IstioMesh } from '../mesh/istio-mesh';
import { checkDns1035Label, checkDns1123Label, checkDnsSubdomain, checkLabels, istioLabelOf } from '../private/kubernetes-names';
import { Names } from '../private/names';
import { namespaceOf } from '../private/namespace';
import { AGENT_METRICS_PORT, ENVOY_METRICS_PORT, ENVOY_METRICS_PORT_NAME, PROXY_PORTS, STATUS_PORT } from '../private/proxy-ports';
import { validateAtSynth } from '../private/synth-validation';

/**
 * Properties of a `GatewayWorkload`.
 */
export interface GatewayWorkloadProps extends GatewayDeploymentOptions {
  /**
   * The type of the gateway Service.
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;
  /**
   * Whether a LoadBalancer or NodePort Service sends outside traffic to gateway pods on any node (`CLUSTER`, one
   * more hop, and the client address is lost to SNAT) or only on the node that received it (`LOCAL`, which keeps
   * the client address that source-address rules match).
   * @default - Kubernetes' default (`Cluster`)
   */
  readonly externalTrafficPolicy?: GatewayTrafficPolicy;
  /**
   * Annotations of the gateway Service, e.g. a cloud provider's load-balancer settings
   * (`service.beta.kubernetes.io/aws-load-balancer-type: nlb`).
   * @default - none
   */
  readonly serviceAnnotations?: { [key: string]: string };
}

/**
 * Where a LoadBalancer or NodePort gateway Service delivers outside traffic.
 */
export enum GatewayTrafficPolicy {
  /** To gateway pods on any node; the client address is replaced by a node's. */
  CLUSTER = 'Cluster',
  /** Only to gateway pods on the receiving node; the client address is kept. */
  LOCAL = 'Local',
}

/**
 * Options of `GatewayWorkload.addPort`.
 */
export interface GatewayWorkloadAddPortOptions {
  /**
   * The pod port behind the Service port.
   * @default - the Service port (the pods may bind ports below 1024)
   */
  readonly targetPort?: number;
  /**
   * The Service port name.
   * @default - `http2` for 80 and `https` for 443 (the chart's names), `tcp-<port>` otherwise
   */
  readonly name?: string;
}

/**
 * The workload of an Istio gateway, deployed the way the istio/gateway Helm chart deploys it: a Deployment whose
 * `istio-proxy` container Istio's `gateway` injection template fills in, a Service, a ServiceAccount, an
 * autoscaler, and a PodDisruptionBudget when more than one replica is required.
 *
 * Every object is named `name`, and the Deployment, Service and budget select the chart's stable labels (`app` and
 * `istio`), never a construct-path label: renaming a construct id changes nothing Kubernetes cannot update in
 * place, and a Deployment with these labels can take over the pods of an installed gateway of the same name.
 *
 * The Service carries the status port and exactly the ports added with `addPort`, so it exposes what the routes
 * through the gateway use and nothing else. Egress and ingress gateways differ only in how they use it.
 */
export class GatewayWorkload extends Construct {
  /** The proxy's health port, which load balancers and the readiness probe query. */
  public static readonly STATUS_PORT = STATUS_PORT;

  /** The name of every object of the gateway. */
  public readonly name: string;
  /** The namespace of every object of the gateway. */
  public readonly namespaceName: string;
  /** The mesh the gateway belongs to. */
  public readonly mesh: IstioMesh;
  /** The labels the Deployment and Service select the gateway pods by: `app` and `istio` unless `selectorLabels`. */
  public readonly selectorLabels: { [key: string]: string };
  /** The gateway pods. */
  public readonly deployment: kplus.Deployment;
  /**
   * The gateway Service. Its ports are rendered at synth, sorted by number, from what `addPort` recorded, so they do
   * not depend on the order routes asked for them (cdk8s-plus' `Service` renders them in the order they were bound).
   */
  public readonly service: kplus.k8s.KubeService;
  /** The identity of the gateway pods. */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** Scales the Deployment on CPU. */
  public readonly autoscaler: kplus.HorizontalPodAutoscaler;
  /** Limits voluntary evictions to one pod at a time; only when more than one replica is required. */
  public readonly disruptionBudget?: kplus.k8s.KubePodDisruptionBudget;

  private readonly labels: { [key: string]: string };
  private readonly servicePorts = new Map<number, ExposedPort>();
  /** The proxy container's ports as rendered: sorted by number, whatever order they came in. */
  private readonly containerPorts: Array<{ containerPort: number; name?: string; protocol?: string }> = [];
  private secretReader?: kplus.Role;

  public constructor(scope: Construct, id: string, props: GatewayWorkloadProps) {
    super(scope, id);
    const path = this.node.path;
    this.namespaceName = namespaceOf(this, props.namespaceName, 'a gateway workload');
    validateAtSynth(this);
    const options = resolveGatewayOptions(path, props);
    this.name = props.name ?? 'istio-gateway';
    this.mesh = props.mesh ?? IstioMesh.DEFAULT;
    checkDns1035Label(path, 'name', this.name);
    if (props.serviceAccountName !== undefined) checkDnsSubdomain(path, 'serviceAccountName', props.serviceAccountName);
    if (props.serviceType === kplus.ServiceType.EXTERNAL_NAME) {
      throw new Error(`${path}: a gateway Service cannot be of type ExternalName, it must select the gateway pods; `
        + 'use ClusterIP (egress), or LoadBalancer or NodePort (ingress)');
    }
    const serviceType = props.serviceType ?? kplus.ServiceType.CLUSTER_IP;
    if (props.externalTrafficPolicy !== undefined && serviceType === kplus.ServiceType.CLUSTER_IP) {
      throw new Error(`${path}: externalTrafficPolicy applies to LoadBalancer and NodePort Services only (the Kubernetes API `
        + 'rejects it on ClusterIP); drop it or change serviceType');
    }
    for (const key of Object.keys(props.serviceAnnotations ?? {})) {
      const problem = Names.labelKeyError(key);
      if (problem) throw new Error(`${path}: service annotation '${key}' ${problem}`);
    }
    const extraLabels = { ...props.labels };
    for (const key of ['app', 'istio', 'istio.io/rev', 'sidecar.istio.io/inject', kplus.Pod.ADDRESS_LABEL]) {
      if (key in extraLabels) {
        throw new Error(`${path}: labels must not set '${key}'; use appLabel, istioLabel or IstioMesh.revision; `
          + 'the injection label is always set');
      }
    }
    const chartLabels = { app: props.appLabel ?? this.name, istio: props.istioLabel ?? istioLabelOf(this.name) };
    this.selectorLabels = { ...props.selectorLabels ?? chartLabels };
    if (Object.keys(this.selectorLabels).length === 0) {
      throw new Error(`${path}: selectorLabels {} would select every pod of namespace '${this.namespaceName}'; name the `
        + 'labels that only this gateway\'s pods carry, or leave selectorLabels unset for app and istio');
    }
    for (const key of ['istio.io/rev', 'sidecar.istio.io/inject', kplus.Pod.ADDRESS_LABEL]) {
      if (key in this.selectorLabels) {
        throw new Error(`${path}: selectorLabels must not use '${key}': it changes with upgrades or injection, and a `
          + 'Deployment\'s selector cannot; select on app or istio');
      }
    }
    this.labels = { ...extraLabels, ...chartLabels, ...this.selectorLabels };
    checkLabels(path, 'pod label', this.labels);

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: this.metadata(props.serviceAccountName ?? this.name),
    });

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      // No `replicas`: the autoscaler owns the count, and a fixed one would fight it.
      metadata: this.metadata(),
      // The chart's selector labels, not cdk8s-plus' construct-path label: a Deployment's selector never changes in
      // place, so it must not follow construct ids.
      select: false,
      podMetadata: {
        labels: {
          ...this.labels,
          // The label is what the injection webhook's object selector matches in namespaces without injection.
          'sidecar.istio.io/inject': 'true',
          ...this.mesh.revision === undefined ? {} : { 'istio.io/rev': this.mesh.revision },
        },
        annotations: {
          'inject.istio.io/templates': 'gateway',
          'sidecar.istio.io/inject': 'true',
          // The chart's scrape settings (15020 serves Envoy's and the agent's metrics merged): every call out of
          // the mesh passes here, which makes this the place to watch it.
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(AGENT_METRICS_PORT),
          'prometheus.io/path': '/stats/prometheus',
        },
      },
      serviceAccount: this.serviceAccount,
      securityContext: {
        ensureNonRoot: true,
        // Lets the non-root proxy bind the ports routes use (80, 443, …) without NET_BIND_SERVICE.
        sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
      },
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: this.selectorLabels }));
    // cdk8s-plus labels every pod with its construct path; nothing selects on it here, and a construct id must not
    // reach the pods (renaming one would roll the gateway).
    ApiObject.of(this.deployment).addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${kplus.Pod.ADDRESS_LABEL.replace('/', '~1')}`));

    this.deployment.addContainer({
      name: 'istio-proxy',
      // Replaced by the injector with the control plane's proxy image.
      image: 'auto',
      imagePullPolicy: props.imagePullPolicy ?? kplus.ImagePullPolicy.IF_NOT_PRESENT,
      // No portNumber: cdk8s-plus would add a TCP startup probe, and the injector supplies the real probes.
      ports: [{ number: ENVOY_METRICS_PORT, name: ENVOY_METRICS_PORT_NAME }],
      resources: options.resources,
      securityContext: {
        // The chart's container settings (1337 is the proxy image's user).
        user: 1337,
        group: 1337,
        ensureNonRoot: true,
        privileged: false,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: [kplus.Capability.ALL] },
        // Not in the chart: makes the pod admissible under the `restricted` Pod Security Standard.
        seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
    });

    const scheduling = this.deployment.scheduling;
    const nodeLabels = Object.entries(options.nodeSelector);
    if (nodeLabels.length > 0) {
      // One required term with every label: the node-affinity form of a nodeSelector.
      scheduling.attract(kplus.Node.labeled(...nodeLabels.map(([key, value]) => kplus.NodeLabelQuery.is(key, value))));
    }
    for (const toleration of options.tolerations) {
      const taintOptions = { effect: toleration.effect };
      scheduling.tolerate(kplus.Node.tainted(toleration.value === undefined
        ? kplus.NodeTaintQuery.exists(toleration.key, taintOptions)
        : kplus.NodeTaintQuery.is(toleration.key, toleration.value, taintOptions)));
    }
    for (const topology of options.spreadAcross) {
      scheduling.spread({ topology, weight: SPREAD_WEIGHT });
    }
    if (options.priorityClassName !== undefined) {
      // cdk8s-plus does not model priorityClassName.
      ApiObject.of(this.deployment).addJsonPatch(
        JsonPatch.add('/spec/template/spec/priorityClassName', options.priorityClassName));
    }

    this.service = new kplus.k8s.KubeService(this, 'Service', {
      metadata: { ...this.metadata(), annotations: props.serviceAnnotations },
      spec: Lazy.any({
        produce: (): kplus.k8s.ServiceSpec => ({
          type: serviceType,
          externalTrafficPolicy: props.externalTrafficPolicy,
          // By the chart's labels, never by cdk8s-plus' construct-path label.
          selector: this.selectorLabels,
          ports: this.ports.map(p => ({
            name: p.name, port: p.port, protocol: 'TCP', targetPort: kplus.k8s.IntOrString.fromNumber(p.targetPort ?? p.port),
          })),
        }),
      }),
    });
    // The chart calls it `status-port`; the `http-` prefix tells Istio its protocol instead of leaving it to sniffing.
    this.bindPort({ port: GatewayWorkload.STATUS_PORT, targetPort: GatewayWorkload.STATUS_PORT, name: 'http-status-port' });
    // cdk8s-plus renders container ports in the order they were added; the proxy lists them by number instead.
    ApiObject.of(this.deployment).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/ports', this.containerPorts));

    this.autoscaler = new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
      metadata: this.metadata(),
      target: this.deployment,
      minReplicas: options.minReplicas,
      maxReplicas: options.maxReplicas,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(options.targetCpuUtilizationPercent))],
      // The Kubernetes defaults, which the chart's autoscaler (no `behavior`) gets; cdk8s-plus's own defaults
      // would scale down by at most minReplicas pods per 5 minutes.
      scaleUp: {
        strategy: kplus.ScalingStrategy.MAX_CHANGE,
        stabilizationWindow: Duration.seconds(0),
        policies: [
          { replicas: kplus.Replicas.absolute(4), duration: Duration.seconds(15) },
          { replicas: kplus.Replicas.percent(100), duration: Duration.seconds(15) },
        ],
      },
      scaleDown: {
        strategy: kplus.ScalingStrategy.MAX_CHANGE,
        stabilizationWindow: Duration.minutes(5),
        policies: [{ replicas: kplus.Replicas.percent(100), duration: Duration.seconds(15) }],
      },
    });

    // With one required replica a budget either blocks every node drain (minAvailable: 1, the reason the chart
    // renders it only above one: kubernetes/kubernetes#93476) or protects nothing (maxUnavailable: 1).
    if (options.minReplicas > 1) {
      this.disruptionBudget = new kplus.k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: this.metadata(),
        spec: {
          maxUnavailable: kplus.k8s.IntOrString.fromNumber(1),
          // The chart's budget selects what the Deployment selects.
          selector: { matchLabels: this.selectorLabels },
        },
      });
    }
  }

  /** Every label of the gateway pods: `app`, `istio` and the extra labels (a copy). */
  public get podLabels(): { [key: string]: string } {
    return { ...this.labels };
  }

  /** The gateway Service's cluster FQDN. */
  public get serviceHost(): string {
    return this.mesh.serviceHost(this.name, this.namespaceName);
  }

  /** The Service ports, status port included, by number. Returns a copy; use `addPort` to add one. */
  public get ports(): GatewayServicePort[] {
    return [...this.servicePorts.values()].sort((a, b) => a.port - b.port);
  }

  /**
   * Exposes a port on the gateway Service and the proxy container. Adding a port again with the same (or no)
   * options does nothing, so every route through the gateway can ask for the ports it uses.
   */
  public addPort(port: number, options: GatewayWorkloadAddPortOptions = {}): void {
    const path = this.node.path;
    const targetPort = options.targetPort ?? port;
    checkPortNumber(path, 'port', port);
    checkPortNumber(path, 'targetPort', targetPort);
    const existing = this.servicePorts.get(port);
    if (existing) {
      if (existing.targetPort !== targetPort || (options.name !== undefined && options.name !== existing.name)) {
        throw new Error(`${path}: port ${port} is already exposed as '${existing.name}' → ${existing.targetPort}, `
          + `not ${options.name === undefined ? '' : `'${options.name}' `}→ ${targetPort}; one Service port has `
          + 'one target, so use another port number');
      }
      return;
    }
    const name = options.name ?? defaultPortName(port);
    checkDns1123Label(path, 'port name', name);
    const clash = this.ports.find(p => p.name === name);
    if (clash) {
      throw new Error(`${path}: port ${port} would be named '${name}', which port ${clash.port} already uses; `
        + 'pass another name');
    }
    this.bindPort({ port, targetPort, name });
  }

  /** The pod port behind a Service port, or undefined when the Service does not expose it. */
  public targetPortOf(servicePort: number): number | undefined {
    return this.servicePorts.get(servicePort)?.targetPort;
  }

  /**
   * Lets the gateway's identity list Secrets in its namespace, which istiod checks before it serves the gateway a
   * `credentialName` (a client certificate for mutual TLS origination, a server certificate on ingress). Creates
   * the Role and RoleBinding once and returns the Role.
   *
   * Only `list`, and for the whole namespace: istiod reads the Secret itself and only asks, with a
   * SubjectAccessReview, whether the gateway may `list` `secrets` there, naming no Secret
   * (pilot/pkg/credentials/kube/secrets.go, `Authorize`); a Role limited by `resourceNames` fails that check. Keep
   * other Secrets out of a gateway's namespace.
   */
  public grantSecretRead(): kplus.Role {
    if (!this.secretReader) {
      this.secretReader = new kplus.Role(this, 'SecretReader', { metadata: this.metadata() });
      this.secretReader.allow(['list'], kplus.ApiResource.SECRETS);
      // Not `Role.bind`, so the binding gets the gateway's name and labels like every other object.
      const binding = new kplus.RoleBinding(this, 'SecretReaderBinding', {
        metadata: this.metadata(),
        role: this.secretReader,
      });
      binding.addSubjects(this.serviceAccount);
    }
    return this.secretReader;
  }

  private bindPort(port: ExposedPort): void {
    this.servicePorts.set(port.port, port);
    // Declared on the container too, so Istio's pod-port metadata and NetworkPolicies derived from the pods see
    // them: the Service's target ports (two Service ports may share one) and Envoy's metrics port, by number. The
    // Deployment's JsonPatch holds this array, so it is refilled rather than replaced.
    const targets = new Set(this.ports.filter(p => p.port !== GatewayWorkload.STATUS_PORT).map(p => p.targetPort ?? p.port));
    const declared = [...targets, ENVOY_METRICS_PORT].sort((a, b) => a - b)
      .map(n => (n === ENVOY_METRICS_PORT ? { containerPort: n, name: ENVOY_METRICS_PORT_NAME } : { containerPort: n, protocol: 'TCP' }));
    this.containerPorts.splice(0, this.containerPorts.length, ...declared);
  }


  private metadata(name: string = this.name): { name: string; namespace: string; labels: { [key: string]: string } } {
    return { name, namespace: this.namespaceName, labels: this.labels };
  }
}

/** A Service port with its defaults applied. */
interface ExposedPort extends GatewayServicePort {
  readonly targetPort: number;
  readonly name: string;
}


function checkPortNumber(path: string, what: string, port: number): void {
  if (!Names.isPortNumber(port)) {
    throw new Error(`${path}: ${what} ${port} is not a port number (1-65535)`);
  }
  if (PROXY_PORTS.includes(port)) {
    throw new Error(`${path}: ${what} ${port} is used by the Istio proxy itself (${PROXY_PORTS.join(', ')}); `
      + 'route the traffic on another port');
  }
}

/**
 * 80 and 443 keep the chart's names. Other ports are named `tcp-`: the gateway's listeners come from Istio
 * `Gateway` servers, not from this name, and `tcp` keeps sidecars from protocol-sniffing server-first protocols
 * on the way to the gateway.
 */
function defaultPortName(port: number): string {
  switch (port) {
    case 80: return 'http2';
    case 443: return 'https';
    default: return `tcp-${port}`;
  }
}
