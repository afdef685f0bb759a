import { IConstruct } from 'constructs';
import { EgressInventoryClient, EgressInventoryTls } from './inventory-document';
import { GatewayFact, GrantFact, InventoryFacts, KubernetesServiceFact, LegFact, ServiceFact } from './inventory-facts';
import { IEgressGateway } from '../egress/egress-contracts';
import { EgressGateway } from '../egress/egress-gateway';
import { EgressTlsMode } from '../egress/egress-tls';
import { ExternalService } from '../mesh/external-service';
import { KubernetesExternalService } from '../mesh/kubernetes-external-service';
import { podPortOf } from '../private/gateway-ports';

// Internal: the inventory's facts read from a construct tree, through the contracts the constructs meet by
// (`IEgressGateway.routing`: routes and their legs, grants and their grantees, the lockdown) and the services'
// public getters. Read when asked, so the inventory is the app's final state whenever it is taken.

/** What `scope` and everything under it declares. */
export function factsFromTree(scope: IConstruct): InventoryFacts {
  const constructs = scope.node.findAll();
  const gateways = constructs.filter(EgressGateway.isEgressGateway);
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

/** A KubernetesExternalService as the objects it renders, the same objects the manifests carry. */
function kubernetesServiceFact(external: KubernetesExternalService): KubernetesServiceFact {
  return {
    service: external.service.toJson(),
    endpointSlices: external.endpointSlice ? [external.endpointSlice.toJson()] : [],
    declaredBy: external.node.path,
  };
}

/** A lockdown's namespaces where every pod's egress is default-denied. */
function egressDenied(gateway: IEgressGateway): string[] {
  return gateway.routing.lockdown?.egressDeniedNamespaces ?? [];
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
      const ports = grant.route.legs().filter(leg => hosts.has(leg.host)).map(leg => podPortOf(gateway, leg.port));
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
    forwardedPaths: leg.tlsMode !== EgressTlsMode.PASSTHROUGH && route.forwardedPaths.length > 0
      ? route.forwardedPaths.map(p => p.toString()).sort() : undefined,
    declaredBy: route.node.path,
  })));
}

function grantFacts(gateway: IEgressGateway): GrantFact[] {
  if (!gateway.routing.lockdown && gateway.routing.grants.length === 0) {
    // Neither a lockdown's allow-nothing policy nor a grant's ALLOW policy selects the gateway: Istio admits anyone.
    return gateway.routing.routes.flatMap(route => route.legs().map((leg): GrantFact => ({
      gateway: refOf(gateway), host: leg.host, serviceNamespace: route.serviceNamespace, namespaceName: '*', declaredBy: gateway.node.path,
    })));
  }
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
    location: service.location,
    visibleTo: service.visibleNamespaces,
    ports: service.ports.map(port => ({ number: port.number, protocol: port.protocol, dialledPorts: service.dialledPorts(port.number) })),
    sidecarTls: sidecarTlsOf(service),
    declaredBy: service.node.path,
  };
}

/** Where the service's sidecars originate TLS, per host:port. */
function sidecarTlsOf(service: ExternalService): Map<string, EgressInventoryTls> {
  const modes = new Map<string, EgressInventoryTls>();
  for (const origination of service.tlsOrigination) {
    const mode = origination.credentialName === undefined ? EgressInventoryTls.SIDECAR : EgressInventoryTls.SIDECAR_MUTUAL;
    for (const host of service.hosts) modes.set(`${host}:${origination.port}`, mode);
  }
  return modes;
}
