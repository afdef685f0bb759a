import { Names } from '../private/names';
import { IstioProtocol } from '../private/protocol';

/**
 * Protocols Istio accepts on a ServiceEntry port (`protocol.Parse` in istiod).
 */
export enum PortProtocol {
  HTTP = 'HTTP',
  HTTPS = 'HTTPS',
  HTTP2 = 'HTTP2',
  GRPC = 'GRPC',
  TLS = 'TLS',
  TCP = 'TCP',
  MONGO = 'Mongo',
  MYSQL = 'MySQL',
  REDIS = 'Redis',
}

/**
 * A port of an external service: a number, the protocol Istio treats it as, and an Istio-conformant name.
 *
 * The name is `<protocol>-<number>` (`https-443`): a DNS-1123 label, unique per number, and readable in Envoy
 * stats. Use the factories; `of` is the escape hatch.
 */
export class ExternalPort {
  /** Plain HTTP; Istio routes it by Host header. */
  public static http(number: number = 80): ExternalPort {
    const port = new ExternalPort(number, PortProtocol.HTTP);
    port.suspicious = number === 443;
    return port;
  }

  /** HTTPS originated by the application: opaque to the proxy, routed by SNI. */
  public static https(number: number = 443): ExternalPort {
    return new ExternalPort(number, PortProtocol.HTTPS);
  }

  /** Any TLS protocol originated by the application, routed by SNI. */
  public static tls(number: number = 443): ExternalPort {
    return new ExternalPort(number, PortProtocol.TLS);
  }

  /** Opaque TCP: no Host or SNI, so Istio can tell destinations apart only by IP address. */
  public static tcp(number: number): ExternalPort {
    return new ExternalPort(number, PortProtocol.TCP);
  }

  /** gRPC (HTTP/2 with gRPC semantics). */
  public static grpc(number: number): ExternalPort {
    return new ExternalPort(number, PortProtocol.GRPC);
  }

  /** Cleartext HTTP/2. */
  public static http2(number: number): ExternalPort {
    return new ExternalPort(number, PortProtocol.HTTP2);
  }

  /** Any protocol Istio knows, with an optional name (default `<protocol>-<number>`). */
  public static of(number: number, protocol: PortProtocol, name?: string): ExternalPort {
    return new ExternalPort(number, protocol, name);
  }

  /** The port number, 1..65535. */
  public readonly number: number;
  /** The protocol Istio treats the port as. */
  public readonly protocol: PortProtocol;
  /** The port name Istio sees: `<protocol>-<number>` unless given. */
  public readonly name: string;
  /** `http(443)`: almost always a mistake for `https(443)`; `of` says it is meant. */
  private suspicious = false;

  private constructor(number: number, protocol: PortProtocol, name?: string) {
    this.number = number;
    this.protocol = protocol;
    this.name = name ?? `${protocol.toLowerCase()}-${number}`;
  }

  /**
   * Throws, naming `owner` (the construct path of whoever uses the port), unless the port is usable: a number from
   * 1 to 65535, an Istio-conformant name, and no plain HTTP on 443 unless declared with `of`. Constructs call it
   * where the port is used, so the message says where the bad port is.
   */
  public check(owner: string): void {
    if (!Names.isPortNumber(this.number)) {
      throw new Error(`${owner}: port ${this.number} is not a port number: use an integer from 1 to 65535`);
    }
    if (!Names.isDns1123Label(this.name)) {
      throw new Error(`${owner}: port name '${this.name}' is not a DNS-1123 label (lowercase alphanumerics and '-', at most `
        + '63): Istio rejects it; pick a name like \'https-443\'');
    }
    if (this.suspicious) {
      throw new Error(`${owner}: port ${this} is plain HTTP on the HTTPS port: a client speaking TLS there would be read as `
        + 'HTTP and fail. Use ExternalPort.https(443), or ExternalPort.of(443, PortProtocol.HTTP) if the host really serves HTTP on 443');
    }
  }

  /** Whether the proxy sees HTTP on this port (Host-based routing, retries, headers). */
  public get isHttp(): boolean {
    return IstioProtocol.isHttp(this.protocol);
  }

  /** Whether the application speaks TLS on this port (SNI-based routing). */
  public get isTls(): boolean {
    return IstioProtocol.isTls(this.protocol);
  }

  /** `443/HTTPS`, for messages. */
  public toString(): string {
    return `${this.number}/${this.protocol}`;
  }
}
