import { ApiObject, Duration, JsonPatch, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { GatewayServicePort } from './egress-gateway-base';
import {
  checkDns1035Label, checkDns1123Label, checkDnsSubdomain, checkLabels, resolveGatewayOptions, SPREAD_WEIGHT,
} from './private/gateway-options';
import { namespaceOf } from './private/namespace';

/**
 * A node taint the gateway pods tolerate, e.g. the taint that reserves dedicated egress nodes.
 */
export interface GatewayToleration {
  /** The taint key. */
  readonly key: string;
  /**
   * The taint value to match.
   * @default - any value of `key` (operator `Exists`)
   */
  readonly value?: string;
  /**
   * The taint effect to match.
   * @default - every effect
   */
  readonly effect?: kplus.TaintEffect;
}

/**
 * Size, scaling and placement of a gateway: shared by gateways this library deploys and the istioctl install
 * settings (`IstioInstall`), which render the same values.
 */
export interface GatewayWorkloadOptions {
  /**
   * The fewest replicas the autoscaler keeps. More than one also adds a PodDisruptionBudget, so node drains take
   * replicas down one at a time.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * The most replicas the autoscaler creates. Equal to `minReplicas` gives a fixed number of replicas.
   * @default 5
   */
  readonly maxReplicas?: number;
  /**
   * The average CPU use, as a percentage of the CPU request, that the autoscaler keeps the replicas at.
   * @default 80
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Requests and limits of the proxy container, per resource (overriding `memory` keeps the default `cpu`).
   * @default - the istio/gateway chart's: requests 100m CPU and 128Mi memory, limits 2000m CPU and 1024Mi memory
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Node labels the gateway pods require, e.g. `{ 'node-role.example.com/egress': 'true' }` for dedicated egress
   * nodes whose addresses the outside world allow-lists.
   * @default - any node
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Node taints the gateway pods tolerate, so they can run on nodes tainted for them alone.
   * @default - none
   */
  readonly tolerations?: GatewayToleration[];
  /**
   * Topologies (`Topology.HOSTNAME`, `Topology.ZONE`, …) to spread the replicas across. The spread is preferred,
   * not required, so the autoscaler can still add replicas when there are fewer dedicated nodes than replicas.
   * @default - no spreading
   */
  readonly spreadAcross?: kplus.Topology[];
  /**
   * The PriorityClass of the gateway pods; an egress gateway is on every external call's path, so consider one
   * that outranks the applications behind it.
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;
}

/**
 * How a deployed gateway is named, labelled and run: what egress and ingress gateways have in common beyond
 * sizing.
 */
export interface GatewayDeploymentOptions extends GatewayWorkloadOptions {
  /**
   * The namespace of every object of the gateway.
   * @default - the chart's namespace; one of the two is required
   */
  readonly namespace?: string;
  /**
   * The name of the Deployment, Service, ServiceAccount, autoscaler and budget, like a Helm release name.
   * @default - generated from the construct path
   */
  readonly name?: string;
  /**
   * The value of the pods' `app` label, which Istio also reports as the gateway's canonical service name.
   * @default - `name`, or `istio-<istio label>`
   */
  readonly appLabel?: string;
  /**
   * Further pod labels (not `app`, `istio`, `istio.io/rev` or `sidecar.istio.io/inject`, which have their own
   * settings).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * The Istio control-plane revision that injects and configures the gateway (the `istio.io/rev` pod label).
   * @default - the default revision
   */
  readonly revision?: string;
  /**
   * The name of the gateway's ServiceAccount, whose identity is `cluster.local/ns/<namespace>/sa/<name>`.
   * @default - `name`, or generated from the construct path
   */
  readonly serviceAccountName?: string;
  /**
   * When the node pulls the proxy image. The injector replaces `image: auto` with the control plane's versioned
   * proxy image, so a cached copy is the right one.
   * @default ImagePullPolicy.IF_NOT_PRESENT
   */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;
}

/**
 * Properties of a `GatewayWorkload`.
 */
export interface GatewayWorkloadProps extends GatewayDeploymentOptions {
  /** The value of the pods' `istio` label, which Istio `Gateway` selectors match, e.g. `egressgateway`. */
  readonly istioLabel: string;
  /**
   * The type of the gateway Service.
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;
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
 * The Service carries the status port and exactly the ports added with `addPort`, so it exposes what the routes
 * through the gateway use and nothing else. Egress and ingress gateways differ only in how they use it.
 */
export class GatewayWorkload extends Construct {
  /** The proxy's health port, which load balancers and the readiness probe query. */
  public static readonly STATUS_PORT = 15021;

  /** The namespace of every object of the gateway. */
  public readonly namespace: string;
  /** The gateway pods. */
  public readonly deployment: kplus.Deployment;
  /** The gateway Service. */
  public readonly service: kplus.Service;
  /** The identity of the gateway pods. */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** Scales the Deployment on CPU. */
  public readonly autoscaler: kplus.HorizontalPodAutoscaler;
  /** Limits voluntary evictions to one pod at a time; only when more than one replica is required. */
  public readonly disruptionBudget?: kplus.k8s.KubePodDisruptionBudget;

  private readonly name?: string;
  private readonly labels: { [key: string]: string };
  private readonly proxy: kplus.Container;
  private readonly servicePorts = new Map<number, ExposedPort>();
  private secretReader?: kplus.Role;

  public constructor(scope: Construct, id: string, props: GatewayWorkloadProps) {
    super(scope, id);
    const path = this.node.path;
    this.namespace = namespaceOf(this, props.namespace, 'a gateway workload');
    const options = resolveGatewayOptions(path, props);
    if (props.name !== undefined) checkDns1035Label(path, 'name', props.name);
    if (props.serviceAccountName !== undefined) checkDnsSubdomain(path, 'serviceAccountName', props.serviceAccountName);
    if (props.revision !== undefined) checkDns1123Label(path, 'revision', props.revision);
    if (props.serviceType === kplus.ServiceType.EXTERNAL_NAME) {
      throw new Error(`${path}: a gateway Service cannot be of type ExternalName, it must select the gateway pods; `
        + 'use ClusterIP (egress), or LoadBalancer or NodePort (ingress)');
    }
    const extraLabels = { ...props.labels };
    for (const key of ['app', 'istio', 'istio.io/rev', 'sidecar.istio.io/inject', kplus.Pod.ADDRESS_LABEL]) {
      if (key in extraLabels) {
        throw new Error(`${path}: labels must not set '${key}'; use appLabel, istioLabel or revision, `
          + 'the injection label is always set');
      }
    }
    this.name = props.name;
    this.labels = {
      ...extraLabels,
      istio: props.istioLabel,
      app: props.appLabel ?? props.name ?? `istio-${props.istioLabel}`,
    };
    checkLabels(path, 'pod label', this.labels);

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: this.metadata(props.serviceAccountName ?? props.name),
    });

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      // No `replicas`: the autoscaler owns the count, and a fixed one would fight it.
      metadata: this.metadata(props.name),
      podMetadata: {
        labels: {
          ...this.labels,
          // The label is what the injection webhook's object selector matches in namespaces without injection.
          'sidecar.istio.io/inject': 'true',
          ...props.revision === undefined ? {} : { 'istio.io/rev': props.revision },
        },
        annotations: {
          'inject.istio.io/templates': 'gateway',
          'sidecar.istio.io/inject': 'true',
          // The chart's scrape settings (15020 serves Envoy's and the agent's metrics merged): every call out of
          // the mesh passes here, which makes this the place to watch it.
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': '15020',
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

    this.proxy = this.deployment.addContainer({
      name: 'istio-proxy',
      // Replaced by the injector with the control plane's proxy image.
      image: 'auto',
      imagePullPolicy: props.imagePullPolicy ?? kplus.ImagePullPolicy.IF_NOT_PRESENT,
      // No portNumber: cdk8s-plus would add a TCP startup probe, and the injector supplies the real probes.
      ports: [{ number: 15090, name: 'http-envoy-prom' }],
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

    this.service = new kplus.Service(this, 'Service', {
      metadata: this.metadata(props.name),
      type: props.serviceType ?? kplus.ServiceType.CLUSTER_IP,
      selector: this.deployment,
    });
    // The chart calls it `status-port`; the `http-` prefix tells Istio its protocol instead of leaving it to sniffing.
    this.bindPort({ port: GatewayWorkload.STATUS_PORT, targetPort: GatewayWorkload.STATUS_PORT, name: 'http-status-port' });

    this.autoscaler = new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
      metadata: this.metadata(props.name),
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
        metadata: this.metadata(props.name),
        spec: {
          maxUnavailable: kplus.k8s.IntOrString.fromNumber(1),
          // This Deployment's own selector, not the istio/app labels: another gateway (a canary revision, an
          // istioctl one) may carry those and must not count toward this budget.
          selector: Lazy.any({ produce: () => ({ matchLabels: this.deployment.matchLabels }) }),
        },
      });
    }
  }

  /**
   * The labels Istio `Gateway` selectors and NetworkPolicies match: `istio`, `app` and the extra labels. Returns a
   * copy.
   */
  public get podLabels(): { [key: string]: string } {
    return { ...this.labels };
  }

  /** The Service ports, status port included. Returns a copy; use `addPort` to add one. */
  public get ports(): GatewayServicePort[] {
    return [...this.servicePorts.values()];
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
   * Lets the gateway read Secrets in its namespace, which Istio requires before it serves a `credentialName` (a
   * client certificate for mutual TLS origination, a server certificate on ingress). Creates the Role and
   * RoleBinding once and returns the Role.
   */
  public grantSecretRead(): kplus.Role {
    if (!this.secretReader) {
      this.secretReader = new kplus.Role(this, 'SecretReader', { metadata: this.metadata(this.name) });
      this.secretReader.allowRead(kplus.ApiResource.SECRETS);
      // Not `Role.bind`, so the binding gets the gateway's name and labels like every other object.
      const binding = new kplus.RoleBinding(this, 'SecretReaderBinding', {
        metadata: this.metadata(this.name),
        role: this.secretReader,
      });
      binding.addSubjects(this.serviceAccount);
    }
    return this.secretReader;
  }

  private bindPort(port: ExposedPort): void {
    this.service.bind(port.port, { targetPort: port.targetPort, name: port.name, protocol: kplus.Protocol.TCP });
    // Declared on the container too, so Istio's pod-port metadata and NetworkPolicies derived from the pods see
    // it; two Service ports may share a target.
    if (port.port !== GatewayWorkload.STATUS_PORT && !this.proxy.ports.some(p => p.number === port.targetPort)) {
      this.proxy.addPort({ number: port.targetPort, protocol: kplus.Protocol.TCP });
    }
    this.servicePorts.set(port.port, port);
  }

  private metadata(name: string | undefined): { name?: string; namespace: string; labels: { [key: string]: string } } {
    // No `name` key at all when unset: an explicit undefined would hide the chart-generated name.
    return { ...name === undefined ? {} : { name }, namespace: this.namespace, labels: this.labels };
  }
}

/** A Service port with its defaults applied. */
interface ExposedPort extends GatewayServicePort {
  readonly targetPort: number;
  readonly name: string;
}

/** Ports the Istio proxy binds itself (istio.io "Ports used by Istio"); a route on one would collide with it. */
const PROXY_PORTS = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

function checkPortNumber(path: string, what: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
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
