import * as networking from '../../../imports/networking.istio.io';
import { sortBy } from '../../private/collections';

/** TLS a proxy originates to one host on one port: SIMPLE, or MUTUAL with a client certificate. */
export interface TlsOriginationIntent {
  readonly port: number;
  readonly mutual: boolean;
  readonly credentialName?: string;
  readonly caCertificates?: string;
}

/**
 * The port-level TLS settings of a DestinationRule that originates TLS to `host`, by port, the host as SNI: the one
 * rendering the sidecar's and the gateway's origination rules share.
 */
export function renderOriginationPorts(host: string,
  origins: TlsOriginationIntent[]): networking.DestinationRuleSpecTrafficPolicyPortLevelSettings[] {
  return sortBy(origins, o => String(o.port).padStart(5, '0')).map(o => ({
    port: { number: o.port },
    tls: {
      mode: o.mutual
        ? networking.DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode.MUTUAL
        : networking.DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode.SIMPLE,
      credentialName: o.credentialName,
      caCertificates: o.caCertificates,
      sni: host,
    },
  }));
}
