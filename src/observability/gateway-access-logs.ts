import { parse } from '@bufbuild/cel';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as telemetry from '../../imports/telemetry.istio.io';
import { IGateway } from '../gateway/gateway-contracts';
import { validateAtSynth } from '../private/synth-validation';

/**
 * Properties of `GatewayAccessLogs`.
 */
export interface GatewayAccessLogsProps {
  /** The gateway whose proxies log: an `EgressGateway`, `EgressGateway.fromExisting(...)` or any `IGateway`. */
  readonly gateway: IGateway;
  /**
   * Log only the requests and connections this CEL expression is true for (Istio's `filter.expression`, Envoy
   * attributes), e.g. `response.code >= 400`. TCP lines have no `response.code`, and an expression that cannot be
   * evaluated drops the line, so write `!has(response.code) || response.code >= 400` to keep passed-through TLS
   * connections in the log.
   * @default - every request and connection is logged
   */
  readonly filter?: string;
  /**
   * The access log provider: Istio's built-in `envoy` (the proxy's standard output), or an extension provider of
   * the mesh config.
   * @default GatewayAccessLogs.DEFAULT_PROVIDER
   */
  readonly provider?: string;
}

/**
 * Access logs at a gateway, through Istio's Telemetry API: a `telemetry.istio.io/v1` `Telemetry` named after the
 * gateway, in its namespace, selecting its pods, so no other workload's logging changes.
 *
 * With the default `envoy` provider each line has Istio's default text format (`EnvoyTextLogFormat` in istio/istio
 * `pilot/pkg/model/telemetry_logging.go`, used for the built-in provider unless the mesh config sets
 * `accessLogFormat`). That format already ends with `%REQUESTED_SERVER_NAME% %ROUTE_NAME%`, so the SNI a workload
 * asked for is on every TCP line of passed-through TLS, next to `%UPSTREAM_CLUSTER_RAW%`
 * (`outbound|443||<host>`) and `%RESPONSE_CODE_DETAILS%` (which names the AuthorizationPolicy that denied a
 * request). The Telemetry API cannot set a format, which is why none is set here: a mesh whose `accessLogFormat`
 * drops `%REQUESTED_SERVER_NAME%` loses the SNI, and a custom format belongs in a mesh-config extension provider
 * named with `provider`.
 */
export class GatewayAccessLogs extends Construct {
  /** Istio's built-in provider: Envoy's file access log on `/dev/stdout` (istio/istio `pkg/config/mesh/mesh.go`). */
  public static readonly DEFAULT_PROVIDER = 'envoy';

  /** The gateway whose proxies log. */
  public readonly gateway: IGateway;
  /** The filter expression, when there is one. */
  public readonly filter?: string;
  /** The access log provider. */
  public readonly provider: string;
  /** The `Telemetry` object. */
  public readonly telemetry: ApiObject;

  public constructor(scope: Construct, id: string, props: GatewayAccessLogsProps) {
    super(scope, id);
    validateAtSynth(this);
    const path = this.node.path;
    this.gateway = props.gateway;
    this.provider = props.provider ?? GatewayAccessLogs.DEFAULT_PROVIDER;
    if (this.provider.trim() === '') {
      throw new Error(`${path}: provider '' names no access log provider; leave it unset for Istio's built-in `
        + `'${GatewayAccessLogs.DEFAULT_PROVIDER}', or name an extension provider of the mesh config`);
    }
    if (props.filter !== undefined) checkFilter(path, props.filter);
    this.filter = props.filter;

    this.telemetry = new telemetry.Telemetry(this, 'Resource', {
      metadata: { name: this.gateway.name, namespace: this.gateway.namespaceName },
      spec: {
        // A workload selector, not a targetRef: it works for gateways deployed here and for installed ones alike.
        selector: { matchLabels: { ...this.gateway.podLabels } },
        accessLogging: [{
          providers: [{ name: this.provider }],
          ...this.filter === undefined ? {} : { filter: { expression: this.filter } },
        }],
      },
    });
  }
}

/** istiod refuses a filter that does not parse as CEL (`validateTelemetryFilter`); say so here, with the path. */
function checkFilter(path: string, filter: string): void {
  if (filter.trim() === '') {
    throw new Error(`${path}: filter '${filter}' is empty; leave it unset to log everything, or pass a CEL `
      + 'expression such as \'response.code >= 400\'');
  }
  try {
    parse(filter);
  } catch (e: any) {
    throw new Error(`${path}: filter ${JSON.stringify(filter)} is not a CEL expression (${String(e?.message ?? e).split('\n')[0]}); `
      + 'write one over Envoy attributes, such as \'response.code >= 400\'');
  }
}
