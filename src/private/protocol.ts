/**
 * istio's `protocol.Parse` and its families (`pkg/config/protocol/instance.go`): the one protocol table of the
 * constructs and the validator. Internal.
 */
export class IstioProtocol {
  /** The protocol names istio understands (case-insensitive). */
  public static readonly SUPPORTED = ['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'GRPC-Web', 'TLS', 'TCP', 'UDP', 'Mongo', 'Redis', 'MySQL', 'HTTP_PROXY'];

  /** The canonical name of `protocol`, or undefined when istio does not support it (empty included). */
  public static parse(protocol: unknown): string | undefined {
    if (typeof protocol !== 'string') return undefined;
    return IstioProtocol.SUPPORTED.find(p => p.toLowerCase() === protocol.toLowerCase());
  }

  public static isHttp(protocol: unknown): boolean {
    return ['HTTP', 'HTTP2', 'GRPC', 'GRPC-Web', 'HTTP_PROXY'].includes(IstioProtocol.parse(protocol) ?? '');
  }

  public static isTls(protocol: unknown): boolean {
    return ['HTTPS', 'TLS'].includes(IstioProtocol.parse(protocol) ?? '');
  }

  public static isTcp(protocol: unknown): boolean {
    return ['TCP', 'HTTPS', 'TLS', 'Mongo', 'Redis', 'MySQL'].includes(IstioProtocol.parse(protocol) ?? '');
  }

  /** The supported names, for messages. */
  public static list(): string {
    return IstioProtocol.SUPPORTED.join(', ');
  }
}
