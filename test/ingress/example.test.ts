import { App, Testing } from 'cdk8s';
import { exampleApp } from '../../examples/app';
import { Reachability } from '../../src';
import { byKind, only, synthValid } from '../util';

// Issue 15's "done when": the example app exposes bookinfo the way seed 004 does, beside its egress output, with
// zero validator findings, and its ingress gateway reaches nothing outside the cluster.

const synthAll = (app: App) => app.charts.flatMap(chart => synthValid(chart));

describe('The example app\'s ingress |', () => {
  const manifests = synthAll(exampleApp({ app: { outdir: Testing.app().outdir } }));
  const ingress = manifests.filter(m => m.metadata.namespace === 'istio-ingress' || m.kind === 'VirtualService' && m.metadata.namespace === 'bookinfo');

  test('seed 004: every host on port 80, /productpage to productpage:9080, through the gateway istio-ingress/istio-ingressgateway', () => {
    const gateway = byKind(ingress, 'Gateway')[0];
    expect(gateway.spec).toEqual({
      selector: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http-80-wildcard', protocol: 'HTTP' }, hosts: ['bookinfo/*'] }],
    });
    const route = only(ingress, 'VirtualService');
    expect(route.spec.gateways).toEqual(['istio-ingress/istio-ingressgateway']);
    expect(route.spec.http).toEqual([{
      name: 'rule-1',
      match: [{ uri: { prefix: '/productpage' } }],
      route: [{ destination: { host: 'productpage.bookinfo.svc.cluster.local', port: { number: 9080 } } }],
    }]);
    expect(ingress).toMatchSnapshot();
  });

  test('the ingress gateway reaches productpage, and no address outside the cluster', () => {
    const reach = Reachability.of(manifests);
    const gatewayPod = reach.pods.find(p => p.namespaceName === 'istio-ingress')!;
    const productpage = reach.pods.find(p => p.namespaceName === 'bookinfo' && p.name.includes('productpage'))!;
    const reviews = reach.pods.find(p => p.namespaceName === 'bookinfo' && p.name.includes('reviews'))!;
    expect(reach.canReachPod(gatewayPod, productpage, 9080)).toBe(true);
    expect(reach.canReachPod(gatewayPod, reviews, 9080)).toBe(false);
    for (const address of ['8.8.8.8', '104.18.0.1', '169.254.169.254']) {
      expect(reach.canReachAddress(gatewayPod, address, 443)).toBe(false);
      expect(reach.canReachAddress(gatewayPod, address, 80)).toBe(false);
    }
  });
});
