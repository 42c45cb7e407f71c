/**
 * Where the attacker page may listen: only on a loopback address unless the
 * teacher asks (`--attacker-on-lan`), since on a LAN every student's browser
 * could reach "another site" that uses their login. Kept apart from
 * listener.ts so flags.ts (which the reference page bundles) reads no files.
 */
import { isLoopbackName } from '../http/host-check.ts';

/** `true` for an address that only this machine can reach: a listener bound there cannot be visited from the LAN. */
export function isLoopbackHost(host: string): boolean {
  return isLoopbackName(host.toLowerCase().replace(/^\[(.*)\]$/, '$1'));
}

/** The one-line refusal for an attacker listener on a non-loopback `host`, or `null` when it may listen there. */
export function attackerHostRefusal(host: string, onLan: boolean): string | null {
  if (onLan || isLoopbackHost(host)) return null;
  return `the attacker page is only served on a loopback host (--host ${host} would put it on the LAN); add --attacker-on-lan to serve it there anyway, or --attacker-port 0 to turn it off`;
}
