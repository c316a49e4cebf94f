// Stands in for `@aws-sdk/credential-provider-node` in the function bundles (infra/build.ts).
// Lambda hands a function its role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, so the SDK's default chain (SSO, profiles, web identity, instance metadata…)
// is code a function never runs; the SDK clients import it whatever `credentials` they are given,
// and it is a fifth of each bundle. Locally and in the admin tool the full chain stays.
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
