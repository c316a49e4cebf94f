// rocketchat_permissions documents → the roles granted view-engagement-dashboard. The other
// permissions mean nothing here and are passed over.
import { dashboardPermission } from '../auth/access.js';
import { idOf } from './extended-json.js';
import { accepted, type Mapped, rejected } from './mapped.js';

/** The roles the document grants the dashboard, or undefined when it is another permission. */
export function dashboardGrantFromExport(
  document: Record<string, unknown>,
): Mapped<string[] | undefined> {
  if (idOf(document._id) !== dashboardPermission) return accepted(undefined);
  const roles = rolesOf(document.roles);
  return roles ? accepted(roles) : rejected('roles is not a list of role names');
}

/** A list of role ids (Rocket.Chat's roles are strings: `admin`, or a custom role's id). */
export function rolesOf(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const valid = value.every(
    (role) => typeof role === 'string' && role.length > 0 && role.length <= 255,
  );
  return valid ? [...new Set(value as string[])] : undefined;
}
