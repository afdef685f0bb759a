import { checkLabels, checkNamespaceName } from './kubernetes-names';
import { Names } from './names';

/** Where the cluster DNS and istiod run, with defaults applied and checked. */
export interface ClusterServices {
  readonly dns: { readonly namespaceName: string; readonly podLabels: { [key: string]: string }; readonly port: number };
  readonly controlPlane: { readonly namespaceName: string; readonly podLabels: { [key: string]: string } };
}

/** istiod's xDS and certificate port, which every proxy dials. */
export const ISTIOD_XDS_PORT = 15012;

/**
 * The DNS and istiod locations of `ClusterDnsOptions`/`ControlPlaneOptions` with their defaults (kube-dns in
 * kube-system on 53; istiod in the mesh's root namespace), refusing what would open more than those pods.
 */
export function resolveClusterServices(owner: string, rootNamespace: string,
  dns: { namespaceName?: string; podLabels?: { [key: string]: string }; port?: number } = {},
  controlPlane: { namespaceName?: string; podLabels?: { [key: string]: string } } = {}): ClusterServices {
  const resolved: ClusterServices = {
    dns: {
      namespaceName: dns.namespaceName ?? 'kube-system',
      podLabels: dns.podLabels ?? { 'k8s-app': 'kube-dns' },
      port: dns.port ?? 53,
    },
    controlPlane: {
      namespaceName: controlPlane.namespaceName ?? rootNamespace,
      podLabels: controlPlane.podLabels ?? { app: 'istiod' },
    },
  };
  checkNamespaceName(owner, 'dns.namespaceName', resolved.dns.namespaceName);
  checkNamespaceName(owner, 'controlPlane.namespaceName', resolved.controlPlane.namespaceName);

  for (const [what, labels] of [['dns.podLabels', resolved.dns.podLabels], ['controlPlane.podLabels', resolved.controlPlane.podLabels]] as const) {
    if (Object.keys(labels).length === 0) {
      throw new Error(`${owner}: ${what} {} would open every pod of the namespace to the pods it confines; name the labels of `
        + `the ${what.startsWith('dns') ? 'DNS' : 'istiod'} pods`);
    }
    checkLabels(owner, what, labels);
  }
  if (!Names.isPortNumber(resolved.dns.port)) {
    throw new Error(`${owner}: dns.port ${resolved.dns.port} is not a port number (1-65535)`);
  }
  return resolved;
}
