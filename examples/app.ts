// The showcase app: the scenario of the two seed articles, written against the library the way a user writes it
// (imported by package name). `npx projen example` synthesizes it into examples/dist/ (see main.ts).
//
// - A dedicated egress gateway, autoscaled, on nodes reserved for it ("all outbound traffic leaves through a
//   dedicated node that alone can reach the outside and is closely monitored").
// - zhihu.com and www.zhihu.com over TLS passthrough by SNI, httpbin.org over HTTP, both through the gateway.
// - The mesh locked down so only the gateway leaves the cluster; zhihu granted to one workload, httpbin to another.
// - REGISTRY_ONLY mesh-wide, as istioctl install settings kept apart from what kubectl applies.
// - The gateway watched: access logs of failures, a PodMonitor, recording rules and alerts, a Grafana dashboard.
// - Seed 004's way in: an ingress gateway serving bookinfo's /productpage on port 80, confined to the mesh.
import { App, AppProps, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  EgressGateway, EgressGatewayDashboard, EgressGatewayRules, EgressGrantee, EgressRoute, ExternalPort, ExternalService,
  GatewayAccessLogs, GatewayPodMonitor, IngressAction, IngressDestination, IngressGateway, IngressListener, IngressPath,
  IngressRoute, IstioInstall, MeshEgressLockdown,
} from 'cdk8s-istio-gateways';

/** Options of the example app; the defaults are the showcase. */
export interface ExampleOptions {
  /** Where `kubectl apply` manifests go. */
  readonly app?: AppProps;
  /** The construct id of the gateway: renaming it must change no name or selector of what it deploys. */
  readonly gatewayId?: string;
}

/** The app whose manifests kubectl applies. */
export function exampleApp(options: ExampleOptions = {}): App {
  const app = new App(options.app);

  // The gateway workload, in its own namespace.
  const gatewayChart = new Chart(app, 'egress-gateway', { namespace: 'istio-egress' });
  const gateway = new EgressGateway(gatewayChart, options.gatewayId ?? 'gateway', {
    minReplicas: 2,
    maxReplicas: 5,
    nodeSelector: { 'node-role.example.com/egress': 'true' },
    tolerations: [{ key: 'node-role.example.com/egress', effect: kplus.TaintEffect.NO_SCHEDULE }],
  });

  // "Closely monitored": failed requests (and every passed-through TLS connection, with its SNI) in the gateway's
  // log; Prometheus (in `monitoring`, which the lockdown lets scrape the gateway) with rules and a dashboard.
  new GatewayAccessLogs(gatewayChart, 'access-logs', { gateway, filter: '!has(response.code) || response.code >= 400' });
  new GatewayPodMonitor(gatewayChart, 'pod-monitor', { gateway });
  const rules = new EgressGatewayRules(gatewayChart, 'rules', { gateway });
  new EgressGatewayDashboard(gatewayChart, 'dashboard', { rules, namespaceName: 'monitoring' });

  // The allow-list and its routes, owned by the platform team.
  const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
  new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['bookinfo'], metricsNamespaces: ['monitoring'] });

  const zhihu = new ExternalService(egress, 'zhihu', {
    hosts: ['zhihu.com', 'www.zhihu.com'],
    ports: [ExternalPort.http(), ExternalPort.https()],
  });
  const zhihuRoute = new EgressRoute(egress, 'zhihu-via-gateway', { gateway, service: zhihu, ports: [443] });

  const httpbin = new ExternalService(egress, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
  const httpbinRoute = new EgressRoute(egress, 'httpbin-via-gateway', { gateway, service: httpbin });

  // The applications (bookinfo), each granted exactly the host it needs; the policy that lets each reach the
  // gateway lands in bookinfo's chart, next to the workload.
  const bookinfo = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });
  const workload = (name: string) => new kplus.Deployment(bookinfo, name, {
    containers: [{ image: `docker.io/istio/examples-bookinfo-${name}-v1:1.20.2`, portNumber: 9080, securityContext: { user: 1000 } }],
    serviceAccount: new kplus.ServiceAccount(bookinfo, `${name}-sa`),
  });
  const productpage = workload('productpage');
  const reviews = workload('reviews');

  zhihuRoute.grantEgress(EgressGrantee.workload(productpage));
  httpbinRoute.grantEgress(EgressGrantee.workload(reviews));

  // Seed 004's ingress: the gateway its Helm release deploys (istio-ingressgateway in istio-ingress, selected by
  // `istio: ingressgateway`), every host on port 80, /productpage to productpage:9080. Its pods may reach
  // productpage, DNS and istiod, and nothing outside the cluster.
  const ingressChart = new Chart(app, 'ingress-gateway', { namespace: 'istio-ingress' });
  const ingress = new IngressGateway(ingressChart, 'gateway', {
    listeners: [IngressListener.http({ hosts: ['*'] })],
    metricsNamespaces: ['monitoring'],
  });
  new GatewayAccessLogs(ingressChart, 'access-logs', { gateway: ingress, filter: 'response.code >= 400' });
  const productpageService = new kplus.Service(bookinfo, 'productpage-service', {
    metadata: { name: 'productpage' },
    selector: productpage,
    ports: [{ port: 9080, name: 'http' }],
  });
  new IngressRoute(bookinfo, 'bookinfo', {
    gateway: ingress,
    hosts: ['*'],
    rules: [{
      priority: 1,
      matches: [{ path: IngressPath.prefix('/productpage') }],
      action: IngressAction.forward(IngressDestination.service(productpageService)),
    }],
  });
  return app;
}

/**
 * Seed 000's first step, the mesh-wide REGISTRY_ONLY outbound policy, as an input to `istioctl install -f`. It is
 * not for kubectl, so it is synthesized by an app of its own into a folder of its own: dist-istioctl/.
 */
export function istioctlApp(): App {
  const istioctl = new App({ outdir: 'dist-istioctl' });
  new IstioInstall(istioctl, 'istio-install');
  return istioctl;
}
