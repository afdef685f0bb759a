import { Testing } from 'cdk8s';
import * as networking from '../imports/networking.istio.io';
import * as security from '../imports/security.istio.io';
import * as telemetry from '../imports/telemetry.istio.io';

// A CRD refresh must never silently downgrade what we emit (cdk8s picks the first listed version per kind).
describe('imports |', () => {
  test.each([
    [networking.ServiceEntry.GVK, 'networking.istio.io/v1'],
    [networking.Gateway.GVK, 'networking.istio.io/v1'],
    [networking.VirtualService.GVK, 'networking.istio.io/v1'],
    [networking.DestinationRule.GVK, 'networking.istio.io/v1'],
    [networking.Sidecar.GVK, 'networking.istio.io/v1'],
    [security.AuthorizationPolicy.GVK, 'security.istio.io/v1'],
    [security.PeerAuthentication.GVK, 'security.istio.io/v1'],
    [telemetry.Telemetry.GVK, 'telemetry.istio.io/v1'],
  ])('%o is served as %s', (gvk, apiVersion) => {
    expect(gvk.apiVersion).toEqual(apiVersion);
  });

  test('a synthesized object carries the v1 apiVersion', () => {
    const chart = Testing.chart();
    new networking.ServiceEntry(chart, 'se', { spec: { hosts: ['httpbin.org'] } });
    expect(Testing.synth(chart)[0].apiVersion).toEqual('networking.istio.io/v1');
  });
});
