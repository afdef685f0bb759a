import { egressApp, installedGatewayApp } from './fixtures';
import { GatewayAccessLogs } from '../../src';
import { only, synthValid } from '../util';

describe('GatewayAccessLogs |', () => {
  test('a Telemetry named after the gateway, in its namespace, selecting its pods, with the built-in envoy provider', () => {
    const { gatewayChart, gateway } = egressApp();
    new GatewayAccessLogs(gatewayChart, 'access-logs', { gateway });
    const telemetry = only(synthValid(gatewayChart), 'Telemetry');
    expect(telemetry).toMatchSnapshot();
    expect(telemetry.apiVersion).toEqual('telemetry.istio.io/v1');
    expect(telemetry.metadata).toEqual({ name: 'istio-egressgateway', namespace: 'istio-egress' });
    expect(telemetry.spec.selector).toEqual({ matchLabels: { app: 'istio-egressgateway', istio: 'egressgateway' } });
    expect(telemetry.spec.accessLogging).toEqual([{ providers: [{ name: 'envoy' }] }]);
  });

  test('a filter expression and another provider', () => {
    const { gatewayChart, gateway } = egressApp();
    const logs = new GatewayAccessLogs(gatewayChart, 'access-logs', {
      gateway, filter: '!has(response.code) || response.code >= 400', provider: 'otel',
    });
    expect(logs.filter).toEqual('!has(response.code) || response.code >= 400');
    expect(only(synthValid(gatewayChart), 'Telemetry').spec.accessLogging).toEqual([{
      providers: [{ name: 'otel' }],
      filter: { expression: '!has(response.code) || response.code >= 400' },
    }]);
  });

  test('an installed gateway: its namespace and the istioctl labels', () => {
    const { chart, gateway } = installedGatewayApp();
    new GatewayAccessLogs(chart, 'access-logs', { gateway, filter: 'response.code >= 400' });
    const telemetry = only(synthValid(chart), 'Telemetry');
    expect(telemetry.metadata.namespace).toEqual('istio-system');
    // The labels istioctl's egress gateway carries.
    expect(telemetry.spec.selector.matchLabels).toEqual({ app: 'istio-egressgateway', istio: 'egressgateway' });
  });

  test('fails when the filter is empty', () => {
    const { gatewayChart, gateway } = egressApp();
    expect(() => new GatewayAccessLogs(gatewayChart, 'access-logs', { gateway, filter: ' ' }))
      .toThrow(/egress-gateway\/access-logs: filter ' ' is empty; leave it unset to log everything/);
  });

  test('fails when the filter is not CEL', () => {
    const { gatewayChart, gateway } = egressApp();
    expect(() => new GatewayAccessLogs(gatewayChart, 'access-logs', { gateway, filter: 'response.code >=' }))
      .toThrow(/egress-gateway\/access-logs: filter "response.code >=" is not a CEL expression .*such as 'response.code >= 400'/);
  });

  test('fails when the provider is empty', () => {
    const { gatewayChart, gateway } = egressApp();
    expect(() => new GatewayAccessLogs(gatewayChart, 'access-logs', { gateway, provider: '' }))
      .toThrow(/egress-gateway\/access-logs: provider '' names no access log provider; leave it unset for Istio's built-in 'envoy'/);
  });
});
