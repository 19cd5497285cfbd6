/** IP address arithmetic for the values rules and the workspace firewall (v4 and v6, no names). */

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** An IPv4 or IPv6 address as a number and its bit length, or undefined. */
function ipValue(ip: string): { value: bigint; bits: number } | undefined {
  if (!isIPv6(ip)) {
    const parts = ip.split('.');
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return { value: parts.reduce((acc, p) => acc * 256n + BigInt(p), 0n), bits: 32 };
  }
  const [head, tail = ''] = ip.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(ip.includes('::') ? tail : '');
  const all = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  if (all.length !== 8 || all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { value: all.reduce((acc, g) => acc * 65536n + BigInt(`0x${g}`), 0n), bits: 128 };
}

/** Whether an address lies in a CIDR of the same family. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const [base, prefix] = cidr.split('/');
  const a = ipValue(ip);
  const b = ipValue(base);
  if (!a || !b || a.bits !== b.bits) return false;
  const shift = BigInt(a.bits - Number(prefix));
  return a.value >> shift === b.value >> shift;
}


function format(value: bigint, bits: number): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  return Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':');
}

/** The first and last address of a CIDR (`10.0.0.0/8` → `10.0.0.0`, `10.255.255.255`). */
export function cidrRange(cidr: string): [string, string] {
  const [base, prefix] = cidr.split('/');
  const b = ipValue(base);
  if (!b) throw new Error(`not a CIDR: ${cidr}`);
  const host = BigInt(b.bits - Number(prefix));
  const first = (b.value >> host) << host;
  return [format(first, b.bits), format(first + (1n << host) - 1n, b.bits)];
}
