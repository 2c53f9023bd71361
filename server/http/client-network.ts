// The network a client address belongs to, for rate limits: one IPv4 /24 or one IPv6 /64 (the
// block a single subscriber usually holds, so changing address inside it does not reset a limit).
import ipaddr from 'ipaddr.js';

/** `a.b.c.0/24` for IPv4 (IPv4-mapped IPv6 included), `x:x:x:x::/64` for IPv6, the text itself
 *  (bounded) for anything unparsable. */
export function clientNetwork(ip: string): string {
  if (!ipaddr.isValid(ip)) return `unparsed:${ip.slice(0, 64)}`;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return `${(address as ipaddr.IPv4).octets.slice(0, 3).join('.')}.0/24`;
  return `${(address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}
