import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { EgressInventoryClient, EgressInventoryTls } from './inventory-document';
import { GatewayFact, GrantFact, InventoryFacts, KubernetesServiceFact, LegFact, originationByPort, ServiceFact } from './inventory-facts';
import { IEgressGateway } from '../egress/egress-contracts';
import { ExternalService } from '../mesh/external-service';
import { KubernetesExternalService } from '../mesh/kubernetes-external-service';

// Internal: the inventory's facts read from a construct tree, through the contracts the constructs meet by
// (`IEgressGateway.routing`: routes and their legs, grants and their grantees, the lockdown) and ExternalService's
// public getters. Read when asked, so the inventory is the app's final state whenever it is taken.

/** What `scope` and everything under it declares. */
export function factsFromTree(scope: IConstruct): InventoryFacts {
  const constructs = scope.node.findAll();
  const gateways = constructs.filter(isEgressGateway);
  const services = constructs.filter((c): c is ExternalService => c instanceof ExternalService);
  return {
    lockedNamespaces: gateways.flatMap(g => g.routing.lockdown?.namespaces ?? []),
    egressDeniedNamespaces: gateways.flatMap(egressDenied),
    gateways: gateways.map(gatewayFact),
    services: services.map(serviceFact),
    legs: gateways.flatMap(legFacts),
    grants: gateways.flatMap(grantFacts),
    kubernetesServices: constructs.filter((c): c is KubernetesExternalService => c instanceof KubernetesExternalService).map(kubernetesServiceFact),
  };
}

/**
 * KubernetesExternalService keeps its target and ports in the objects it renders, so they are read from those (its
 * `service`, and the EndpointSlice child `Endpoints`): the same objects the manifests carry.
 */
function kubernetesServiceFact(external: KubernetesExternalService): KubernetesServiceFact {
  const slice = external.node.tryFindChild('Endpoints');
  return {
    service: external.service.toJson(),
    endpointSlices: slice instanceof ApiObject ? [slice.toJson()] : [],
    declaredBy: external.node.path,
  };
}

/**
 * Any construct that meets the `IEgressGateway` contract, deployed or installed: TypeScript interfaces leave no
 * trace at run time, so the contract is recognized by its members.
 */
function isEgressGateway(c: IConstruct): c is IEgressGateway {
  const candidate = c as Partial<IEgressGateway>;
  return typeof candidate.targetPortOf === 'function' && Array.isArray(candidate.routing?.routes) && Array.isArray(candidate.routing?.grants);
}

/**
 * A lockdown's namespaces, and its gateway's own namespace when it default-denies the other pods there (not where
 * istiod or the DNS runs). The lockdown keeps that decision private, so it is read from the policy it then makes
 * (construct id `GatewayNamespacePolicy`, which is API).
 */
function egressDenied(gateway: IEgressGateway): string[] {
  const lockdown = gateway.routing.lockdown;
  if (!lockdown) return [];
  return [...lockdown.namespaces, ...lockdown.node.tryFindChild('GatewayNamespacePolicy') ? [gateway.namespaceName] : []];
}

function refOf(gateway: IEgressGateway) {
  return { namespaceName: gateway.namespaceName, name: gateway.name };
}

function gatewayFact(gateway: IEgressGateway): GatewayFact {
  return {
    ...refOf(gateway),
    serviceHost: gateway.serviceHost,
    podLabels: gateway.podLabels,
    clients: gateway.routing.grants.map((grant): EgressInventoryClient => {
      const config = grant.grantee.toEgressGranteeConfig();
      const hosts = new Set(grant.hosts);
      // The client NetworkPolicy opens the gateway pod ports of the legs the grant covers.
      const ports = grant.route.legs().filter(leg => hosts.has(leg.host)).map(leg => gateway.targetPortOf(leg.port) ?? leg.port);
      return { namespaceName: config.namespaceName, podLabels: config.podLabels, ports };
    }).filter(client => client.ports.length > 0),
  };
}

function legFacts(gateway: IEgressGateway): LegFact[] {
  return gateway.routing.routes.flatMap(route => route.legs().map((leg): LegFact => ({
    gateway: refOf(gateway),
    host: leg.host,
    serviceNamespace: route.serviceNamespace,
    applicationPort: leg.applicationPort,
    gatewayPort: leg.port,
    externalPort: leg.externalPort,
    tlsMode: leg.tlsMode,
    hopTls: leg.hopTls,
    declaredBy: route.node.path,
  })));
}

function grantFacts(gateway: IEgressGateway): GrantFact[] {
  return gateway.routing.grants.flatMap(grant => {
    const config = grant.grantee.toEgressGranteeConfig();
    const sa = config.serviceAccountName;
    return grant.hosts.map((host): GrantFact => ({
      gateway: refOf(gateway),
      host,
      serviceNamespace: grant.route.serviceNamespace,
      namespaceName: config.namespaceName,
      serviceAccountName: sa,
      principal: sa === undefined ? undefined : gateway.mesh.principal(config.namespaceName, sa),
      methods: grant.request?.methods,
      paths: grant.request?.paths?.map(p => p.toString()),
      headers: grant.request?.headers,
      declaredBy: grant.route.node.path,
    }));
  });
}

function serviceFact(service: ExternalService): ServiceFact {
  return {
    namespaceName: service.namespaceName,
    name: service.name,
    hosts: service.hosts,
    resolution: service.resolution,
    visibleTo: service.visibleNamespaces,
    ports: service.ports.map(port => ({ number: port.number, protocol: port.protocol, dialledPorts: service.dialledPorts(port.number) })),
    sidecarTls: sidecarTlsOf(service),
    declaredBy: service.node.path,
  };
}

/**
 * ExternalService keeps its TLS origination private, so it is read from the per-host DestinationRule it renders
 * for it (construct id `TlsOrigination-<host>`, which is API): the same spec the manifests carry.
 */
function sidecarTlsOf(service: ExternalService): Map<string, EgressInventoryTls> {
  const modes = new Map<string, EgressInventoryTls>();
  for (const host of service.hosts) {
    const rule = service.node.tryFindChild(`TlsOrigination-${host}`);
    if (!(rule instanceof ApiObject)) continue;
    for (const [port, mode] of originationByPort(rule.toJson().spec)) {
      modes.set(`${host}:${port}`, mode === 'MUTUAL' ? EgressInventoryTls.SIDECAR_MUTUAL : EgressInventoryTls.SIDECAR);
    }
  }
  return modes;
}
