// The Lambda context handlers receive, as the runtime would build it.
import type { Context } from 'aws-lambda';
import { lambdaContext as localLambdaContext } from '../../infra/local/lambda-context.js';

export function lambdaContext(functionName = 'engagement-dashboard-test'): Context {
  return localLambdaContext(functionName);
}
