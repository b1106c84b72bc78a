/**
 * IP addresses and CIDR ranges, IPv4 and IPv6, without Node APIs: parsing, normalising
 * (IPv4-mapped IPv6 becomes IPv4), range matching and the network an address belongs to.
 */

/** A parsed address: 4 or 16 bytes. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
}

/** A parsed CIDR range. */
export interface IpRange {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefix: number;
  /** The range as written back, normalised (e.g. `66.249.64.0/19`). */
  readonly text: string;
}

/** Dotted-quad IPv4, strictly: four decimal parts of 0–255, no leading zeros. One pass, no allocation but the result. */
function parseIpv4(text: string): Uint8Array | null {
  const bytes = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 46 : text.charCodeAt(i); // the end closes the last part like a '.'
    if (c === 46) {
      if (digits === 0 || part > 3) return null;
      bytes[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return null; // a leading zero
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return null;
    } else return null;
  }
  return part === 4 ? bytes : null;
}

function parseIpv6(text: string): Uint8Array | null {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (!v4) return null;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null;
        out.push(parseInt(part, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/**
 * Parses an address (`203.0.113.9`, `2001:db8::1`, `[2001:db8::1]`, `::ffff:203.0.113.9`, with
 * or without a zone or a port in brackets); IPv4-mapped IPv6 comes back as IPv4. `null` if invalid.
 */
export function parseIp(input: string | null | undefined): IpAddress | null {
  if (typeof input !== 'string') return null;
  let text = input.trim();
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end === -1) return null;
    text = text.slice(1, end);
  }
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  if (text.includes(':')) {
    const bytes = parseIpv6(text);
    if (!bytes) return null;
    if (MAPPED_PREFIX.every((b, i) => bytes[i] === b)) return { version: 4, bytes: bytes.slice(12) };
    return { version: 6, bytes };
  }
  const bytes = parseIpv4(text);
  return bytes ? { version: 4, bytes } : null;
}

/** Writes an address back in its canonical form. */
export function formatIp(ip: IpAddress): string {
  if (ip.version === 4) return Array.from(ip.bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((ip.bytes[i] as number) << 8) | (ip.bytes[i + 1] as number)).toString(16));
  // Compress the longest run of zero groups.
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
  }
  if (best === -1) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}

/** Smallest prefix accepted for a crawler range: anything broader is a mistake or an attack. */
export const MIN_PREFIX = { 4: 16, 6: 32 } as const;

/** Parses a CIDR range; `null` if invalid. Host bits must be zero. */
export function parseRange(input: string): IpRange | null {
  if (typeof input !== 'string') return null;
  const slash = input.indexOf('/');
  const ip = parseIp(slash === -1 ? input : input.slice(0, slash));
  if (!ip) return null;
  const max = ip.version === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : input.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > max) return null;
  for (let bit = prefix; bit < max; bit++) {
    if (((ip.bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1) return null;
  }
  return { version: ip.version, bytes: ip.bytes, prefix, text: `${formatIp(ip)}/${prefix}` };
}

/** Whether `ip` lies in `range`. */
export function inRange(ip: IpAddress, range: IpRange): boolean {
  if (ip.version !== range.version) return false;
  const full = range.prefix >> 3;
  for (let i = 0; i < full; i++) if (ip.bytes[i] !== range.bytes[i]) return false;
  const rest = range.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((ip.bytes[full] as number) & mask) === ((range.bytes[full] as number) & mask);
}

/** The network an address belongs to for rate counting: its /24 (IPv4) or /48 (IPv6). */
export function networkOf(ip: IpAddress): string {
  return ip.version === 4
    ? `${Array.from(ip.bytes.subarray(0, 3)).join('.')}.0/24`
    : `${formatIp({ version: 6, bytes: new Uint8Array([...ip.bytes.subarray(0, 6), ...new Uint8Array(10)]) })}/48`;
}
