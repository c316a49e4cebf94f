// Runs in every test worker before its test file: points the AWS SDK at the run's DynamoDB Local.
import { inject } from 'vitest';

process.env.AWS_ENDPOINT_URL_DYNAMODB = inject('dynamoDbEndpoint');
process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS = inject('dynamoDbEndpoint');
process.env.AWS_REGION = 'us-east-1';
// DynamoDB Local accepts any credentials made of letters and digits.
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_SERVICE_NAME = 'engagement-dashboard';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'EngagementDashboardTest';
// Quiet by default; the tests about logs and metrics turn them up in their own files.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
