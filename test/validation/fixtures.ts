/**
 * Minimal valid objects of every kind the validator knows, and a way to derive bad variants from them. Tests mutate a
 * valid object in exactly one place, so the finding can only come from that change.
 */

/** Deep copy without `undefined` (what a YAML round trip gives), so a field can be removed by setting it undefined. */
export function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/** A copy of `base` with `patch` merged in (objects recursively; arrays and scalars replaced; undefined removes). */
export function patch(base: any, changes: any): any {
  const out = clean(base);
  const merge = (target: any, source: any) => {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) delete target[key];
      else if (value && typeof value === 'object' && !Array.isArray(value) && target[key] && typeof target[key] === 'object' && !Array.isArray(target[key])) merge(target[key], value);
      else target[key] = clean(value);
    }
  };
  merge(out, changes);
  return out;
}

/** A copy of `base` with the field at a dotted `path` replaced by `value` (or removed when it is undefined). */
export function withField(base: any, path: string, value: any): any {
  const out = clean(base);
  const keys = path.split('.');
  let node = out;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  if (value === undefined) delete node[keys[keys.length - 1]];
  else node[keys[keys.length - 1]] = clean(value);
  return out;
}

const istio = (group: string, kind: string, name: string, namespace: string, spec: any) => ({
  apiVersion: `${group}/v1`, kind, metadata: { name, namespace }, spec,
});

export const serviceEntry = istio('networking.istio.io', 'ServiceEntry', 'api', 'apps', {
  hosts: ['api.example.com'],
  ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
  resolution: 'DNS',
  location: 'MESH_EXTERNAL',
  exportTo: ['.'],
});

export const gateway = istio('networking.istio.io', 'Gateway', 'egress', 'istio-egress', {
  selector: { istio: 'egressgateway' },
  servers: [{ port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: ['api.example.com'], tls: { mode: 'PASSTHROUGH' } }],
});

export const virtualService = istio('networking.istio.io', 'VirtualService', 'api', 'apps', {
  hosts: ['api.example.com'],
  tls: [{ match: [{ port: 443, sniHosts: ['api.example.com'] }], route: [{ destination: { host: 'api.example.com', port: { number: 443 } } }] }],
});

export const httpVirtualService = istio('networking.istio.io', 'VirtualService', 'web', 'apps', {
  hosts: ['web.example.com'],
  http: [{ match: [{ uri: { prefix: '/api' } }], route: [{ destination: { host: 'web.example.com' } }] }, { route: [{ destination: { host: 'web.example.com' } }] }],
});

export const destinationRule = istio('networking.istio.io', 'DestinationRule', 'api', 'apps', {
  host: 'api.example.com',
  trafficPolicy: { tls: { mode: 'SIMPLE' } },
  subsets: [{ name: 'v1', labels: { version: 'v1' } }],
});

export const sidecar = istio('networking.istio.io', 'Sidecar', 'default', 'apps', {
  egress: [{ hosts: ['./*', 'istio-system/*'] }],
  outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
});

export const authorizationPolicy = istio('security.istio.io', 'AuthorizationPolicy', 'allow-api', 'istio-egress', {
  selector: { matchLabels: { istio: 'egressgateway' } },
  action: 'ALLOW',
  rules: [{ from: [{ source: { principals: ['cluster.local/ns/apps/sa/client'] } }], to: [{ operation: { ports: ['443'] } }] }],
});

export const telemetry = istio('telemetry.istio.io', 'Telemetry', 'logs', 'istio-egress', {
  selector: { matchLabels: { istio: 'egressgateway' } },
  accessLogging: [{ providers: [{ name: 'envoy' }] }],
});

export const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'egress', namespace: 'istio-egress' },
  spec: { selector: { istio: 'egressgateway' }, ports: [{ name: 'tls', port: 443, targetPort: 8443 }] },
};

export const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'egress', namespace: 'istio-egress' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { istio: 'egressgateway' } },
    template: {
      metadata: { labels: { istio: 'egressgateway' } },
      spec: {
        containers: [{
          name: 'istio-proxy',
          image: 'auto',
          ports: [{ name: 'tls', containerPort: 8443 }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '1Gi' } },
        }],
      },
    },
  },
};

export const networkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'egress-lockdown', namespace: 'apps' },
  spec: {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-egress' } } }], ports: [{ port: 8443, protocol: 'TCP' }] }],
  },
};

export const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'apps' }, data: { 'mesh.yaml': 'x' } };

export const hpa = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'egress', namespace: 'istio-egress' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'egress' },
    minReplicas: 2,
    maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
  },
};

export const pdb = {
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'egress', namespace: 'istio-egress' },
  spec: { minAvailable: 1, selector: { matchLabels: { istio: 'egressgateway' } } },
};

export const role = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { name: 'read-secrets', namespace: 'istio-egress' },
  rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }],
};

export const roleBinding = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'read-secrets', namespace: 'istio-egress' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-secrets' },
  subjects: [{ kind: 'ServiceAccount', name: 'egress', namespace: 'istio-egress' }],
};

export const serviceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'egress', namespace: 'istio-egress' } };
export const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } };

/** Every base object: together they are one consistent, valid set. */
export const ALL = [
  serviceEntry, gateway, virtualService, httpVirtualService, destinationRule, sidecar, authorizationPolicy, telemetry,
  service, deployment, networkPolicy, configMap, hpa, pdb, role, roleBinding, serviceAccount, namespace,
];
