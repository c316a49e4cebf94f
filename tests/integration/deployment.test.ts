// What `osls deploy` would create, checked offline: `npm run package` for the dev and prod stages,
// assertions on the generated CloudFormation, and the built bundles run as real ES modules.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveResources, type Template, type TemplateValue } from '../../infra/template.js';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { WebhookTokens } from '../../lib/store/webhook-tokens.js';
import { httpApiEvent } from '../helpers/api-gateway.js';
import { insertRecord, syntheticEvent } from '../helpers/stream-records.js';
import { localClient, useTestTables } from '../helpers/tables.js';
import { userWithToken } from '../helpers/users.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

type Resource = {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: a generated template, inspected field by field
  Properties: Record<string, any>;
  DependsOn?: string[];
  [key: string]: unknown;
};

async function packageStage(stage: string, ...params: string[]): Promise<Packaged> {
  await run(
    'npm',
    ['run', 'package', '--', '--stage', stage, ...params.map((p) => `--param=${p}`)],
    {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const read = async (file: string) =>
    JSON.parse(await readFile(join(root, '.serverless', file), 'utf8'));
  return {
    template: await read('cloudformation-template-update-stack.json'),
    state: await read('serverless-state.json'),
  };
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
interface Policy {
  PolicyDocument: { Statement: Statement[] };
}
interface Packaged {
  template: Template;
  state: {
    service: { provider: { stackParameters: { ParameterKey: string; ParameterValue: string }[] } };
  };
}

const resourcesOfType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type) as [
    string,
    Resource,
  ][];

let dev: Packaged;
let prod: Packaged;
beforeAll(async () => {
  dev = await packageStage('dev');
  prod = await packageStage(
    'prod',
    'existingMessagesStreamArn=arn:aws:dynamodb:eu-west-1:123456789012:table/rocketchat_message/stream/2026-01-01T00:00:00.000',
    'alarmTopicArn=arn:aws:sns:eu-west-1:123456789012:oncall',
    'messagesSentReservedConcurrency=50',
    'rocketchatWebhookReservedConcurrency=25',
  );
}, 120_000);

describe('the packaged CloudFormation', () => {
  it('routes GET /api/v1/engagement-dashboard/messages/messages-sent to messages-sent and Rocket.Chat webhooks to theirs, with stage throttling', () => {
    const routes = resourcesOfType(dev.template, 'AWS::ApiGatewayV2::Route');
    expect(routes.map(([, route]) => route.Properties.RouteKey).sort()).toEqual([
      'GET /api/v1/engagement-dashboard/messages/messages-sent',
      'POST /rocketchat/outgoing-webhook/{roomType}',
    ]);
    const stage = dev.template.Resources.HttpApiStage as Resource;
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: 100,
      ThrottlingRateLimit: 50,
    });
  });

  it('runs every function on nodejs22.x, arm64, from its own bundle, with the query well under 29 s', () => {
    const functions = Object.fromEntries(resourcesOfType(dev.template, 'AWS::Lambda::Function'));
    expect(Object.keys(functions).sort()).toEqual([
      'CountDashmessagesLambdaFunction',
      'MessagesDashsentLambdaFunction',
      'RocketchatDashwebhookLambdaFunction',
    ]);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
    expect(functions.MessagesDashsentLambdaFunction?.Properties.Timeout).toBeLessThanOrEqual(10);
    expect(functions.MessagesDashsentLambdaFunction?.Properties.Handler).toBe(
      'dist/messages-sent/index.handler',
    );
    expect(functions.MessagesDashsentLambdaFunction?.DependsOn).toContain('MessagesSentLogGroup');
    expect(functions.CountDashmessagesLambdaFunction?.DependsOn).toContain('CountMessagesLogGroup');
    const environment = functions.MessagesDashsentLambdaFunction?.Properties.Environment.Variables;
    expect(environment).toMatchObject({
      COUNTERS_TABLE: { Ref: 'CountersTable' },
      AUTH_TABLE: { Ref: 'AuthTable' },
    });
  });

  it('reserves concurrency for each function, so the query function cannot starve counting', () => {
    const reserved = (template: Template) =>
      Object.fromEntries(
        resourcesOfType(template, 'AWS::Lambda::Function').map(([name, fn]) => [
          name,
          fn.Properties.ReservedConcurrentExecutions,
        ]),
      );
    expect(reserved(dev.template)).toEqual({
      MessagesDashsentLambdaFunction: 20,
      CountDashmessagesLambdaFunction: 10,
      RocketchatDashwebhookLambdaFunction: 10,
    });
    // Each is a stage parameter.
    expect(reserved(prod.template)).toEqual({
      MessagesDashsentLambdaFunction: 50,
      CountDashmessagesLambdaFunction: 10,
      RocketchatDashwebhookLambdaFunction: 25,
    });
  });

  it('maps the stream with the settings exactly-once counting relies on, and a failure queue', () => {
    const mapping = dev.template.Resources.CountMessagesStreamMapping as Resource;
    expect(mapping.Properties).toMatchObject({
      FunctionName: { 'Fn::GetAtt': ['CountDashmessagesLambdaFunction', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: false,
      ParallelizationFactor: 1,
      TumblingWindowInSeconds: 60,
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 1,
      MaximumRetryAttempts: 10000,
      MaximumRecordAgeInSeconds: 86400,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['CountMessagesFailureQueue', 'Arn'] } },
      },
    });
    expect(
      (dev.template.Resources.CountMessagesFailureQueue as Resource).Properties
        .MessageRetentionPeriod,
    ).toBe(1209600);
    expect(resourcesOfType(dev.template, 'AWS::Lambda::EventSourceMapping')).toHaveLength(1);
  });

  it('gives each function its own role with only the actions it uses, never * actions or resources', () => {
    const roles = Object.fromEntries(resourcesOfType(dev.template, 'AWS::IAM::Role'));
    expect(Object.keys(roles).sort()).toEqual([
      'CountMessagesRole',
      'MessagesSentRole',
      'RocketChatWebhookRole',
    ]);
    const statements = (role: Resource) =>
      (role.Properties.Policies as Policy[]).flatMap((policy) => policy.PolicyDocument.Statement);
    const actions = (role: Resource) =>
      statements(role)
        .flatMap((s) => [s.Action].flat())
        .sort();
    expect(actions(roles.MessagesSentRole as Resource)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(actions(roles.CountMessagesRole as Resource)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:SendMessage',
    ]);
    for (const role of Object.values(roles)) {
      for (const statement of statements(role)) {
        expect(statement.Effect).toBe('Allow');
        for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
        for (const resource of [statement.Resource].flat()) expect(resource).not.toBe('*');
      }
    }
    const reportWrite = statements(roles.MessagesSentRole as Resource).find(
      (s) => s.Action === 'dynamodb:PutItem',
    );
    expect(reportWrite?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['report#*'] },
    });
    // Counting writes counters and applied marks only, and merely reads old run markers.
    const counterAccess = statements(roles.CountMessagesRole as Resource)
      .filter((s) =>
        [s.Action]
          .flat()
          .some((action) => action.startsWith('dynamodb:') && action.endsWith('Item')),
      )
      .map((s) => [[s.Action].flat().sort(), s.Condition]);
    expect(counterAccess).toEqual([
      [
        ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': ['day', 'quarter-hours', 'shard#*'],
          },
        },
      ],
      [['dynamodb:GetItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['run#*'] } }],
    ]);
  });

  it('lets the Rocket.Chat webhook write Messages items and read webhook tokens, nothing else, at its own reserved concurrency', () => {
    const role = dev.template.Resources.RocketChatWebhookRole as Resource;
    const statements = (role.Properties.Policies as Policy[]).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    );
    const byAction = (action: string) =>
      statements.find((statement) => [statement.Action].flat().includes(action));
    expect(statements.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(byAction('dynamodb:PutItem')?.Resource).toEqual({
      'Fn::If': [
        'CreateMessagesTable',
        { 'Fn::GetAtt': ['MessagesTable', 'Arn'] },
        expect.anything(),
      ],
    });
    expect(byAction('dynamodb:Query')).toMatchObject({
      Resource: { 'Fn::GetAtt': ['AuthTable', 'Arn'] },
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['webhook#*'] } },
    });
    const webhook = (template: Template) =>
      template.Resources.RocketchatDashwebhookLambdaFunction as Resource;
    expect(webhook(dev.template).Properties).toMatchObject({
      Handler: 'dist/rocketchat-webhook/index.handler',
      ReservedConcurrentExecutions: 10,
      Timeout: 10,
    });
    expect(webhook(prod.template).Properties.ReservedConcurrentExecutions).toBe(25);
    expect(webhook(dev.template).DependsOn).toContain('RocketChatWebhookLogGroup');
  });

  it('keeps the tables on demand, backed up, encrypted, with TTL and the stream the counter needs', () => {
    const tables = Object.fromEntries(resourcesOfType(dev.template, 'AWS::DynamoDB::Table'));
    for (const table of Object.values(tables)) {
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
      expect(table.Properties.SSESpecification).toMatchObject({ SSEEnabled: true });
    }
    expect(tables.MessagesTable?.Properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    for (const name of ['CountersTable', 'AuthTable']) {
      expect(tables[name]?.Properties.TimeToLiveSpecification).toEqual({
        AttributeName: 'expiresAt',
        Enabled: true,
      });
    }
  });

  it('retains tables outside dev and protects them from deletion', () => {
    const policies = (template: Template) =>
      resourcesOfType(template, 'AWS::DynamoDB::Table').map(([, table]) => [
        table.DeletionPolicy,
        table.UpdateReplacePolicy,
      ]);
    expect(new Set(policies(dev.template).flat())).toEqual(new Set(['Delete']));
    expect(new Set(policies(prod.template).flat())).toEqual(new Set(['Retain']));
    const protection = (stage: string) =>
      resolveResources(prod.template, {
        stackName: `engagement-dashboard-${stage}`,
        region: 'eu-west-1',
        accountId: '123456789012',
        parameters: { Stage: stage },
        unknown: { ref: (id) => `ref:${id}`, getAtt: (id, attribute) => `${id}.${attribute}` },
      }).CountersTable?.properties.DeletionProtectionEnabled;
    expect(protection('dev')).toBe(false);
    expect(protection('prod')).toBe(true);
  });

  it('alarms on iterator age, the failure queue, delivery anomalies, skipped records, function errors and the 5xx rate', () => {
    const alarms = Object.fromEntries(resourcesOfType(dev.template, 'AWS::CloudWatch::Alarm'));
    expect(Object.keys(alarms).sort()).toEqual([
      'CountMessagesDeliveryAnomaliesAlarm',
      'CountMessagesErrorsAlarm',
      'CountMessagesFailureQueueAlarm',
      'CountMessagesIteratorAgeAlarm',
      'CountMessagesSkippedRecordsAlarm',
      'HttpApi5xxRateAlarm',
      'MessagesSentErrorsAlarm',
      'RocketChatWebhookErrorsAlarm',
    ]);
    // The function's own metrics: the namespace and service dimension Powertools publishes under.
    const environment = (dev.template.Resources.CountDashmessagesLambdaFunction as Resource)
      .Properties.Environment.Variables;
    for (const [name, metric] of [
      ['CountMessagesDeliveryAnomaliesAlarm', 'DeliveryAnomalies'],
      ['CountMessagesSkippedRecordsAlarm', 'SkippedRecords'],
    ] as const) {
      expect(alarms[name]?.Properties).toMatchObject({
        Namespace: environment.POWERTOOLS_METRICS_NAMESPACE,
        MetricName: metric,
        Dimensions: [{ Name: 'service', Value: environment.POWERTOOLS_SERVICE_NAME }],
      });
    }
    expect(alarms.CountMessagesFailureQueueAlarm?.Properties.AlarmDescription).toMatch(
      /DDBStreamBatchInfo.*counters reconcile/s,
    );
    expect(alarms.CountMessagesIteratorAgeAlarm?.Properties.MetricName).toBe('IteratorAge');
    expect(alarms.CountMessagesFailureQueueAlarm?.Properties.MetricName).toBe(
      'ApproximateNumberOfMessagesVisible',
    );
    const rate = alarms.HttpApi5xxRateAlarm?.Properties.Metrics as {
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string } };
    }[];
    expect(rate.map((metric) => metric.MetricStat?.Metric.MetricName ?? metric.Expression)).toEqual(
      ['5xx', 'Count', 'IF(requests >= 10, 100 * errors / requests, 0)'],
    );
  });

  it('keeps the report schedule off by default and on in prod', () => {
    const rule = (template: Template) =>
      (resourcesOfType(template, 'AWS::Events::Rule')[0] as [string, Resource])[1].Properties;
    expect(rule(dev.template)).toMatchObject({
      ScheduleExpression: 'cron(15 0 * * ? *)',
      State: 'DISABLED',
    });
    expect(rule(prod.template).State).toBe('ENABLED');
  });

  it('attaches to an existing Messages table stream instead of creating the table', () => {
    const streamArn =
      'arn:aws:dynamodb:eu-west-1:123456789012:table/rocketchat_message/stream/2026-01-01T00:00:00.000';
    const parameters = Object.fromEntries(
      (
        prod.state.service.provider.stackParameters as {
          ParameterKey: string;
          ParameterValue: string;
        }[]
      ).map(({ ParameterKey, ParameterValue }) => [ParameterKey, ParameterValue]),
    );
    expect(parameters).toMatchObject({ Stage: 'prod', ExistingMessagesStreamArn: streamArn });
    const resources = resolveResources(prod.template, {
      stackName: 'engagement-dashboard-prod',
      region: 'eu-west-1',
      accountId: '123456789012',
      parameters,
      unknown: { ref: (id) => `ref:${id}`, getAtt: (id, attribute) => `${id}.${attribute}` },
    });
    expect(resources.MessagesTable).toBeUndefined();
    expect(resources.CountMessagesStreamMapping?.properties.EventSourceArn).toBe(streamArn);
    const streamStatement = (
      resources.CountMessagesRole as unknown as { properties: { Policies: Policy[] } }
    ).properties.Policies[0]?.PolicyDocument.Statement.find(
      (statement: { Action: TemplateValue }) =>
        [statement.Action].flat().includes('dynamodb:GetRecords'),
    );
    expect(streamStatement?.Resource).toBe(streamArn);
    // The webhook writes into that same table, named in the stream's ARN.
    const webhookWrite = (
      resources.RocketChatWebhookRole as unknown as { properties: { Policies: Policy[] } }
    ).properties.Policies[0]?.PolicyDocument.Statement.find((statement) =>
      [statement.Action].flat().includes('dynamodb:PutItem'),
    );
    expect(webhookWrite?.Resource).toBe(
      'arn:aws:dynamodb:eu-west-1:123456789012:table/rocketchat_message',
    );
    expect(resources.RocketchatDashwebhookLambdaFunction?.properties).toMatchObject({
      Environment: { Variables: { MESSAGES_TABLE: 'rocketchat_message' } },
    });
    expect(resources.CountMessagesIteratorAgeAlarm?.properties.AlarmActions).toEqual([
      'arn:aws:sns:eu-west-1:123456789012:oncall',
    ]);
  });
});

const tables = await useTestTables();

describe('the built bundles', () => {
  it('load as real ES modules and answer against DynamoDB Local', async () => {
    await userWithToken(DynamoDBDocumentClient.from(localClient()), tables.auth, {
      userId: 'bundle-user',
      token: 'bundle-token',
      roles: ['admin'],
    });
    const dir = await mkdtemp(join(tmpdir(), 'bundles-'));
    try {
      // A module file, not `node -e`: only a real module scope shows a bundle that needs require().
      const runner = join(dir, 'invoke.mjs');
      await writeFile(
        runner,
        [
          'const [bundle, event] = process.argv.slice(2);',
          'const { handler } = await import(bundle);',
          "const context = { awsRequestId: 'bundle', functionName: 'bundle', getRemainingTimeInMillis: () => 10000 };",
          'const result = await handler(JSON.parse(event), context);',
          "process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n');",
        ].join('\n'),
      );
      const invoke = async (name: string, event: unknown) => {
        const { stdout } = await run(
          process.execPath,
          [
            runner,
            pathToFileURL(join(root, 'dist', name, 'index.mjs')).href,
            JSON.stringify(event),
          ],
          {
            env: {
              ...process.env,
              POWERTOOLS_LOG_LEVEL: 'ERROR',
              POWERTOOLS_METRICS_DISABLED: 'true',
              AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoDbEndpoint'),
            },
          },
        );
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
        return JSON.parse(String(line).slice('RESULT '.length));
      };

      const record = insertRecord({
        _id: 'b1',
        rid: 'r',
        roomType: 'c',
        ts: '2024-01-02T03:04:05.678Z',
      });
      const counted = await invoke('count-messages', syntheticEvent([record]));
      expect(counted).toEqual({
        batchItemFailures: [],
        state: { appliedThrough: record.dynamodb?.SequenceNumber },
      });
      const answer = await invoke(
        'messages-sent',
        httpApiEvent({
          query: { start: '2024-01-02T00:00:00.000Z', end: '2024-01-02T00:00:00.000Z' },
          headers: { 'x-user-id': 'bundle-user', 'x-auth-token': 'bundle-token' },
        }),
      );
      expect(answer.statusCode).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({
        days: [{ day: '2024-01-02T00:00:00.000Z', messages: 1 }],
        period: { count: 1, variation: 1 },
      });

      await new WebhookTokens(DynamoDBDocumentClient.from(localClient()), tables.auth).create({
        roomType: 'c',
        hashedToken: hashLoginToken('bundle-webhook-token'),
        createdAt: new Date().toISOString(),
      });
      const posted = await invoke('rocketchat-webhook', {
        ...httpApiEvent({ method: 'POST', path: '/rocketchat/outgoing-webhook/c' }),
        body: JSON.stringify({
          token: 'bundle-webhook-token',
          bot: false,
          channel_id: 'GENERAL',
          message_id: 'bundle-webhook-message',
          timestamp: '2024-01-02T05:00:00.000Z',
          user_id: 'u1',
          user_name: 'aline',
          text: 'from the bundle',
        }),
      });
      expect(posted).toMatchObject({ statusCode: 200, body: '{"success":true}' });
      const { Item } = await DynamoDBDocumentClient.from(localClient()).send(
        new GetCommand({ TableName: tables.messages, Key: { _id: 'bundle-webhook-message' } }),
      );
      expect(Item).toMatchObject({ roomType: 'c', ts: '2024-01-02T05:00:00.000Z' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
