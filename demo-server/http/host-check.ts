import { hostname, networkInterfaces } from 'node:os';

/**
 * Names that always mean this machine. `*.localhost` resolves to loopback
 * (RFC 6761 §6.3), so it cannot be pointed at another address.
 */
export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === '127.0.0.1' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** The machine's own addresses and name, read once per server: a DNS name an attacker controls is never among them. */
export function ownHostNames(): Set<string> {
  const names = new Set<string>();
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) names.add(entry.address.toLowerCase().replace(/%.*$/, ''));
  }
  const machine = hostname().toLowerCase();
  names.add(machine);
  names.add(`${machine}.local`);
  return names;
}

/** `example.com:8080` → `example.com`; `[::1]:8080` → `::1`; `null` when malformed. */
export function hostnameOfHostHeader(host: string): string | null {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]\s/]+))(?::(\d{1,5}))?$/i.exec(host.trim());
  if (match === null) return null;
  return (match[1] ?? match[2] ?? '').toLowerCase().replace(/\.$/, '');
}

/**
 * Decides whether a request's `Host` names this server, against DNS
 * rebinding: a page on `rebind.example` whose name is re-pointed at this
 * machine would otherwise be same-origin with it (the Origin check compares
 * Origin with Host, and both say rebind.example). Allowed: loopback names,
 * the machine's own addresses and name, and `allowedHosts` (`*` allows any).
 */
export function isHostAllowed(host: string | undefined, ownNames: ReadonlySet<string>, allowedHosts: readonly string[]): boolean {
  if (allowedHosts.includes('*')) return true;
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is a bad request anyway.
  if (host === undefined) return false;
  const name = hostnameOfHostHeader(host);
  if (name === null) return false;
  return isLoopbackName(name) || ownNames.has(name) || allowedHosts.some((allowed) => allowed.toLowerCase() === name);
}
