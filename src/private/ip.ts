import * as ipaddr from 'ipaddr.js';

/**
 * IP addresses and CIDR blocks, IPv4 and IPv6, on `ipaddr.js`: the one implementation that constructs, the validator
 * and `Reachability` share.
 */
export class Ip {
  /** Whether `text` is an IPv4 address in dotted-quad form or an IPv6 address. */
  public static isAddress(text: string): boolean {
    return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
  }

  /** Whether `text` is a CIDR block (`address/bits`) of either family. */
  public static isCidr(text: string): boolean {
    return Ip.parseCidr(text) !== undefined;
  }

  /** An address or a CIDR block (istio `ValidateIPSubnet`). */
  public static isAddressOrCidr(text: string): boolean {
    return text.includes('/') ? Ip.isCidr(text) : Ip.isAddress(text);
  }

  /**
   * The block's network address when `cidr` has host bits set (`10.1.2.3/8` → `10.0.0.0/8`), for "did you mean"
   * messages; undefined when it is already a network address or not a CIDR.
   */
  public static networkOf(cidr: string): string | undefined {
    const parsed = Ip.parseCidr(cidr);
    if (!parsed) return undefined;
    const [address, bits] = parsed;
    const network = address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(cidr)
      : ipaddr.IPv6.networkAddressFromCIDR(cidr);
    return network.toNormalizedString() === address.toNormalizedString() ? undefined : `${network.toString()}/${bits}`;
  }

  /** Whether `address` lies in `cidr`; an address of the other family never does. */
  public static contains(cidr: string, address: string): boolean {
    const block = Ip.parseCidr(cidr);
    if (!block || !Ip.isAddress(address)) return false;
    const ip = ipaddr.parse(address);
    return ip.kind() === block[0].kind() && ip.match(block);
  }

  /** Whether every address of `inner` lies in `outer` (a block contains itself). */
  public static cidrContains(outer: string, inner: string): boolean {
    const a = Ip.parseCidr(outer);
    const b = Ip.parseCidr(inner);
    return a !== undefined && b !== undefined && b[0].kind() === a[0].kind() && b[1] >= a[1] && b[0].match(a);
  }


  private static parseCidr(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
    const slash = text.indexOf('/');
    if (slash < 0 || !/^\d{1,3}$/.test(text.slice(slash + 1)) || !Ip.isAddress(text.slice(0, slash))) return undefined;
    try {
      return ipaddr.parseCIDR(text);
    } catch {
      return undefined;
    }
  }
}
