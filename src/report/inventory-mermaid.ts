import {
  EgressInventoryDocument, EgressInventoryGrant, EgressInventoryHost, EgressInventoryKubernetesService, EgressInventoryPort, EgressInventoryTls,
} from './inventory-document';
import { refKey } from './inventory-facts';
import { GatewayHopTls } from '../egress/egress-tls';

// Internal: the inventory as a Mermaid flowchart, workload → sidecar → egress gateway → host, and the dotted
// direct paths from the sidecars of namespaces that see a host no gateway routes and whose egress is not denied. Node ids are numbered
// in the document's (sorted) order, so the text is as deterministic as the document.

/** The flowchart, `flowchart LR`, one statement a line. */
export function renderMermaid(doc: EgressInventoryDocument): string {
  const lines = ['flowchart LR'];
  const ids = new Ids();
  const locked = new Set(doc.lockedNamespaces);
  const denied = new Set(doc.egressDeniedNamespaces);

  // The granted identities, each with its own sidecar, grouped by namespace.
  const identities = new Map<string, { namespaceName: string; label: string }>();
  for (const host of doc.hosts) {
    for (const grant of host.grants) identities.set(identityKey(grant), { namespaceName: grant.namespaceName, label: identityLabel(grant) });
  }
  const namespaces = [...new Set([...identities.values()].map(i => i.namespaceName))].sort();
  for (const namespace of namespaces) {
    const title = namespace === '*' ? 'any namespace' : `namespace ${namespace}${locked.has(namespace) ? ' (locked)' : ''}`;
    lines.push(`  subgraph ${ids.of(`ns:${namespace}`, 'ns')}[${text(title)}]`);
    for (const [key, identity] of [...identities.entries()].filter(([, i]) => i.namespaceName === namespace).sort(([a], [b]) => compare(a, b))) {
      lines.push(`    ${ids.of(`id:${key}`, 'w')}[${text(identity.label)}] --> ${ids.of(`sc:${key}`, 's')}([${text('sidecar')}])`);
    }
    lines.push('  end');
  }

  for (const gateway of doc.gateways) {
    lines.push(`  ${ids.of(`gw:${refKey(gateway)}`, 'g')}{{${text(`egress gateway ${refKey(gateway)}`)}}}`);
  }

  lines.push(`  subgraph ${ids.of('internet', 'internet')}[${text('internet')}]`);
  for (const host of doc.hosts) lines.push(`    ${ids.of(hostKey(host), 'h')}[${text(host.host)}]`);
  for (const service of doc.kubernetesServices) lines.push(`    ${ids.of(serviceKey(service), 'k')}[${text(targetOf(service))}]`);
  lines.push('  end');

  // sidecar → gateway: one edge per identity and gateway, labelled with what it was granted.
  // The hosts of one hop port are listed once: `mTLS :443 www.zhihu.com, zhihu.com`.
  const hops = new Map<string, { from: string; to: string; hostsByPort: Map<string, string[]> }>();
  for (const host of doc.hosts) {
    for (const port of host.ports.filter(p => p.gateway)) {
      const gatewayKey = refKey(port.gateway!);
      for (const grant of host.grants) {
        const key = `${identityKey(grant)}\u0000${gatewayKey}`;
        const hop = hops.get(key) ?? { from: ids.of(`sc:${identityKey(grant)}`, 's'), to: ids.of(`gw:${gatewayKey}`, 'g'), hostsByPort: new Map() };
        const hopPort = `${port.hopTls === GatewayHopTls.ISTIO_MUTUAL ? 'mTLS ' : ''}:${port.gatewayPort}`;
        hop.hostsByPort.set(hopPort, [...hop.hostsByPort.get(hopPort) ?? [], `${host.host}${requestOf(grant)}`]);
        hops.set(key, hop);
      }
    }
  }
  for (const key of [...hops.keys()].sort(compare)) {
    const hop = hops.get(key)!;
    const label = [...hop.hostsByPort.entries()].map(([hopPort, hosts]) => `${hopPort} ${unique(hosts).join(', ')}`).join('; ');
    lines.push(`  ${hop.from} -->|${text(label)}| ${hop.to}`);
  }

  // gateway → host, and the direct paths.
  for (const host of doc.hosts) {
    const byGateway = new Map<string, string[]>();
    const direct: string[] = [];
    for (const port of host.ports) {
      if (port.gateway) byGateway.set(refKey(port.gateway), [...byGateway.get(refKey(port.gateway)) ?? [], portLabel(port)]);
      else direct.push(portLabel(port));
    }
    for (const [gatewayKey, labels] of [...byGateway.entries()].sort(([a], [b]) => compare(a, b))) {
      lines.push(`  ${ids.of(`gw:${gatewayKey}`, 'g')} -->|${text(labels.join(', '))}| ${ids.of(hostKey(host), 'h')}`);
    }
    if (direct.length === 0) continue;
    const everywhere = host.visibleTo.includes('*');
    // Where a NetworkPolicy denies egress the sidecars see the host but cannot connect: only the others leave directly.
    for (const namespace of everywhere ? ['*'] : host.visibleTo.filter(ns => !denied.has(ns))) {
      const label = namespace === '*' ? 'sidecars in any namespace whose egress is not denied' : `sidecars in ${namespace}`;
      const node = ids.of(`direct:${namespace}`, 'd');
      if (ids.isNew(node)) lines.push(`  ${node}([${text(label)}])`);
      lines.push(`  ${node} -.->|${text(`${direct.join(', ')} direct`)}| ${ids.of(hostKey(host), 'h')}`);
    }
  }
  // Kubernetes Services are visible in every namespace; where egress is denied the connection is stopped.
  for (const service of doc.kubernetesServices) {
    const node = ids.of('direct:*', 'd');
    if (ids.isNew(node)) lines.push(`  ${node}([${text('sidecars in any namespace whose egress is not denied')}])`);
    const label = `${service.ports.map(portLabel).join(', ')} via Service ${service.namespaceName}/${service.name}`;
    lines.push(`  ${node} -.->|${text(label)}| ${ids.of(serviceKey(service), 'k')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Sequential node ids per prefix (`w0`, `h3`): stable for one document, and free of the characters Mermaid reserves. */
class Ids {
  private readonly ids = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  private readonly declared = new Set<string>();

  public of(key: string, prefix: string): string {
    let id = this.ids.get(key);
    if (!id) {
      const n = this.counts.get(prefix) ?? 0;
      this.counts.set(prefix, n + 1);
      id = `${prefix}${n}`;
      this.ids.set(key, id);
    }
    return id;
  }

  /** True the first time it is asked about `id`: for nodes declared where they are first used. */
  public isNew(id: string): boolean {
    if (this.declared.has(id)) return false;
    this.declared.add(id);
    return true;
  }
}

const TLS_LABEL: Record<EgressInventoryTls, string> = {
  [EgressInventoryTls.APPLICATION]: 'app TLS',
  [EgressInventoryTls.SIDECAR]: 'TLS by sidecar',
  [EgressInventoryTls.SIDECAR_MUTUAL]: 'mTLS by sidecar',
  [EgressInventoryTls.GATEWAY]: 'TLS by gateway',
  [EgressInventoryTls.GATEWAY_MUTUAL]: 'mTLS by gateway',
  [EgressInventoryTls.NONE]: 'plain',
};

function portLabel(port: EgressInventoryPort): string {
  const dialled = port.dialledPorts.join('/');
  return `${dialled === String(port.number) ? port.number : `${port.number}→${dialled}`} ${port.protocol} ${TLS_LABEL[port.tls]}`;
}

function identityKey(grant: EgressInventoryGrant): string {
  return JSON.stringify([grant.namespaceName, grant.principal ?? null]);
}

function identityLabel(grant: EgressInventoryGrant): string {
  if (grant.serviceAccountName !== undefined) return `sa ${grant.serviceAccountName}`;
  if (grant.principal !== undefined) return grant.principal;
  return grant.namespaceName === '*' ? 'any source' : 'every pod';
}

function requestOf(grant: EgressInventoryGrant): string {
  const parts = [...grant.methods ?? [], ...grant.paths ?? [], ...Object.entries(grant.headers ?? {}).map(([k, v]) => `${k}=${v}`)];
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}

function serviceKey(service: EgressInventoryKubernetesService): string {
  return `service:${service.namespaceName}/${service.name}`;
}

/** What a Kubernetes Service stands for: its external name, or its addresses. */
export function targetOf(service: EgressInventoryKubernetesService): string {
  return service.externalName ?? (service.addresses ?? []).join(', ');
}

function hostKey(host: EgressInventoryHost): string {
  return `host:${host.host}\u0000${host.namespaceName}\u0000${host.serviceEntry}`;
}

/**
 * A quoted Mermaid label. `"` cannot stand in one and `#` starts an entity (`#quot;`), so both are written as
 * their numeric entities, `#` first.
 */
function text(label: string): string {
  return `"${label.replace(/#/g, '#35;').replace(/"/g, '#quot;')}"`;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
