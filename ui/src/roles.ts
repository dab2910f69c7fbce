// What the signed-in subject may do where. The server enforces all of this; the dashboard only
// hides what would be refused, so that a viewer is not offered buttons that cannot work.
import type { Role, Session } from './types';

const rank: Record<Role, number> = { viewer: 1, submitter: 2, author: 3, admin: 4 };

export function roleIn(session: Session, ns: string): Role | undefined {
  const own = session.roles[ns];
  const all = session.roles['*'];
  if (!own) return all;
  if (!all) return own;
  return rank[own] >= rank[all] ? own : all;
}

export function can(session: Session, ns: string, needed: Role): boolean {
  const r = roleIn(session, ns);
  return !!r && rank[r] >= rank[needed];
}

export const isAdmin = (session: Session) => session.roles['*'] === 'admin';

// Namespaces to offer in the picker: every one with a binding ("*" means any: argo first).
export function namespaces(session: Session): string[] {
  const named = Object.keys(session.roles).filter((n) => n !== '*').sort();
  if (session.roles['*'] && !named.includes('argo')) named.unshift('argo');
  return named;
}
