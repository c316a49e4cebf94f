// user roles | permission roles: who may view the engagement dashboard.
import { dashboardPermission, defaultDashboardRoles } from '../../lib/auth/access.js';
import { AuthAdmin } from '../../lib/store/auth-admin.js';
import { parseRoles, required } from './arguments.js';
import type { AdminContext } from './context.js';
import { CliError } from './errors.js';

export async function userRoles(
  context: AdminContext,
  options: { user?: string; set?: string },
): Promise<string> {
  const userId = required(options.user, 'user');
  const auth = new AuthAdmin(context.documentClient, context.table('auth'));
  if (options.set !== undefined) {
    const roles = parseRoles(options.set);
    await auth.putUser(userId, roles);
    return `${userId} now has the roles ${roles.join(', ')}.`;
  }
  const roles = await auth.userRoles(userId);
  if (roles === undefined) throw new CliError(`there is no user ${userId}`);
  return `${userId}: ${roles.length > 0 ? roles.join(', ') : '(no roles)'}`;
}

export async function permissionRoles(
  context: AdminContext,
  permission: string | undefined,
  options: { set?: string },
): Promise<string> {
  if (permission !== dashboardPermission) {
    throw new CliError(`the only permission here is ${dashboardPermission}`);
  }
  const auth = new AuthAdmin(context.documentClient, context.table('auth'));
  if (options.set !== undefined) {
    const roles = parseRoles(options.set);
    await auth.putPermissionRoles(permission, roles);
    return `${permission} is now granted to ${roles.join(', ')}.`;
  }
  const roles = await auth.permissionRoles(permission);
  return roles === undefined
    ? `${permission}: ${defaultDashboardRoles.join(', ')} (the default; no grant is stored)`
    : `${permission}: ${roles.join(', ')}`;
}
