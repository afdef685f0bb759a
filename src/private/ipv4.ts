/** A dotted IPv4 address as a 32-bit number, or undefined when the text is not one. */
export function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some(p => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** A 32-bit number as a dotted IPv4 address. */
export function numberToIpv4(ip: number): string {
  return [24, 16, 8, 0].map(shift => Math.floor(ip / 2 ** shift) % 256).join('.');
}
