import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { GatewayToleration, GatewayWorkloadOptions } from './gateway-workload-options';
import { checkDnsSubdomain, checkLabelKey, checkLabels, checkLabelValue } from '../private/kubernetes-names';

/**
 * Sizing, scaling and placement of a gateway after defaults and checks: the one reading of `GatewayWorkloadOptions`
 * that both the deployed gateway and the istioctl install settings render, so the two never drift apart.
 */
export interface ResolvedGatewayOptions {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilizationPercent: number;
  readonly resources: kplus.ContainerResources;
  readonly nodeSelector: { [key: string]: string };
  readonly tolerations: GatewayToleration[];
  readonly spreadAcross: kplus.Topology[];
  readonly priorityClassName?: string;
}

/** The istio/gateway chart's defaults (values.yaml, Istio 1.30.3). */
const CHART_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(2000) },
  memory: { request: Size.mebibytes(128), limit: Size.mebibytes(1024) },
};
const CHART_MIN_REPLICAS = 1;
const CHART_MAX_REPLICAS = 5;
const CHART_TARGET_CPU = 80;

/** Weight of the soft anti-affinity that spreads replicas; the maximum, as it is the only preference we set. */
export const SPREAD_WEIGHT = 100;

/** Applies the chart's defaults to `options` and rejects what the API server or the HPA controller would. */
export function resolveGatewayOptions(owner: string, options: GatewayWorkloadOptions): ResolvedGatewayOptions {
  const minReplicas = options.minReplicas ?? CHART_MIN_REPLICAS;
  const maxReplicas = options.maxReplicas ?? CHART_MAX_REPLICAS;
  const targetCpuUtilizationPercent = options.targetCpuUtilizationPercent ?? CHART_TARGET_CPU;
  if (!Number.isInteger(minReplicas) || minReplicas < 1) {
    throw new Error(`${owner}: minReplicas must be a whole number of at least 1, got ${minReplicas}`);
  }
  if (!Number.isInteger(maxReplicas) || maxReplicas < minReplicas) {
    throw new Error(`${owner}: maxReplicas (${maxReplicas}) must be a whole number no smaller than minReplicas `
      + `(${minReplicas}); set both to the same value for a fixed number of replicas`);
  }
  if (!Number.isInteger(targetCpuUtilizationPercent) || targetCpuUtilizationPercent < 1) {
    throw new Error(`${owner}: targetCpuUtilizationPercent must be a whole percentage of at least 1, got ${targetCpuUtilizationPercent}`);
  }

  // Per resource, so overriding memory alone keeps the chart's CPU request that the HPA divides by.
  const resources: kplus.ContainerResources = {
    cpu: options.resources?.cpu ?? CHART_RESOURCES.cpu,
    memory: options.resources?.memory ?? CHART_RESOURCES.memory,
    ephemeralStorage: options.resources?.ephemeralStorage,
  };
  if (!resources.cpu?.request && !resources.cpu?.limit) {
    throw new Error(`${owner}: resources.cpu needs a request or a limit: the autoscaler's CPU utilization is a `
      + 'percentage of the CPU request (which defaults to the limit), so without either the gateway never scales');
  }

  const nodeSelector = { ...options.nodeSelector };
  checkLabels(owner, 'nodeSelector', nodeSelector);
  const tolerations = [...options.tolerations ?? []];
  for (const toleration of tolerations) {
    checkLabelKey(owner, 'toleration', toleration.key);
    if (toleration.value !== undefined) checkLabelValue(owner, `toleration '${toleration.key}'`, toleration.value);
  }
  if (options.priorityClassName !== undefined) {
    checkDnsSubdomain(owner, 'priorityClassName', options.priorityClassName);
  }

  return {
    minReplicas,
    maxReplicas,
    targetCpuUtilizationPercent,
    resources,
    nodeSelector,
    tolerations,
    spreadAcross: [...options.spreadAcross ?? []],
    priorityClassName: options.priorityClassName,
  };
}

/** Container resources as a Kubernetes `ResourceRequirements` object, in the units cdk8s-plus renders them in. */
export function renderResources(resources: kplus.ContainerResources): { [key: string]: { [key: string]: string } } {
  const requests: { [key: string]: string } = {};
  const limits: { [key: string]: string } = {};
  const mebibytes = (size: Size) => `${size.toMebibytes()}Mi`;
  const gibibytes = (size: Size) => `${size.toGibibytes()}Gi`;
  if (resources.cpu?.request) requests.cpu = resources.cpu.request.amount;
  if (resources.cpu?.limit) limits.cpu = resources.cpu.limit.amount;
  if (resources.memory?.request) requests.memory = mebibytes(resources.memory.request);
  if (resources.memory?.limit) limits.memory = mebibytes(resources.memory.limit);
  if (resources.ephemeralStorage?.request) requests['ephemeral-storage'] = gibibytes(resources.ephemeralStorage.request);
  if (resources.ephemeralStorage?.limit) limits['ephemeral-storage'] = gibibytes(resources.ephemeralStorage.limit);
  return {
    ...Object.keys(requests).length ? { requests } : {},
    ...Object.keys(limits).length ? { limits } : {},
  };
}
