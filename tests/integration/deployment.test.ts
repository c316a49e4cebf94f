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
import { bundleTarget } from '../../infra/build.js';
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
    service: {
      provider: {
        stackName: string;
        stackParameters: { ParameterKey: string; ParameterValue: string }[];
      };
    };
  };
}

/** The template's resources as CloudFormation would create them with the stage's parameters. */
function resolved({ template, state }: Packaged) {
  const parameters = Object.fromEntries(
    state.service.provider.stackParameters.map(({ ParameterKey, ParameterValue }) => [
      ParameterKey,
      ParameterValue,
    ]),
  );
  return resolveResources(template, {
    stackName: state.service.provider.stackName,
    region: 'eu-west-1',
    accountId: '123456789012',
    parameters,
    unknown: { ref: (id) => `ref:${id}`, getAtt: (id, attribute) => `${id}.${attribute}` },
  });
}

const statementsOf = (role: Resource): Statement[] =>
  (role.Properties.Policies as Policy[]).flatMap((policy) => policy.PolicyDocument.Statement);
const xRayActions = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const isXRayStatement = (statement: Statement) =>
  JSON.stringify([statement.Action].flat().sort()) === JSON.stringify(xRayActions);

const resourcesOfType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type) as [
    string,
    Resource,
  ][];

let dev: Packaged;
let prod: Packaged;
let customStackName: Packaged;
beforeAll(async () => {
  dev = await packageStage('dev');
  customStackName = await packageStage('staging', 'stackName=ops-dashboard');
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

  it("tells one Node.js story: the runtime, the bundles' target and .nvmrc name the same version", async () => {
    const nvmrc = (await readFile(join(root, '.nvmrc'), 'utf8')).trim();
    for (const [, fn] of resourcesOfType(prod.template, 'AWS::Lambda::Function')) {
      const major = /^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime)?.[1];
      expect(major).toBeDefined();
      expect(bundleTarget).toBe(`node${major}`);
      expect(nvmrc).toBe(major);
    }
  });

  it('traces every function with X-Ray from Lambda itself, each role allowed to send only its segments', () => {
    const functions = resourcesOfType(prod.template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(3);
    for (const [, fn] of functions) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      const role = prod.template.Resources[fn.Properties.Role['Fn::GetAtt'][0]] as Resource;
      expect(statementsOf(role).filter(isXRayStatement)).toEqual([
        { Effect: 'Allow', Action: expect.any(Array), Resource: '*' },
      ]);
    }
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

  it('gives each function its own role with only the actions it uses, never * actions, and * resources only for X-Ray', () => {
    const roles = Object.fromEntries(resourcesOfType(dev.template, 'AWS::IAM::Role'));
    expect(Object.keys(roles).sort()).toEqual([
      'CountMessagesRole',
      'MessagesSentRole',
      'RocketChatWebhookRole',
    ]);
    const statements = statementsOf;
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
      'sqs:SendMessage',
      ...xRayActions,
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
      ...xRayActions,
    ]);
    for (const role of Object.values(roles)) {
      for (const statement of statements(role)) {
        expect(statement.Effect).toBe('Allow');
        for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
        // X-Ray's two actions are the one exception AWS documents: they take no narrower resource.
        if (isXRayStatement(statement)) continue;
        for (const resource of [statement.Resource].flat()) expect(resource).not.toBe('*');
      }
    }
    expect(
      statements(roles.MessagesSentRole as Resource).find((s) => s.Action === 'sqs:SendMessage')
        ?.Resource,
    ).toEqual({ 'Fn::GetAtt': ['ReportFailureQueue', 'Arn'] });
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
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      ...xRayActions,
    ]);
    expect(byAction('dynamodb:PutItem')?.Resource).toEqual({
      'Fn::If': [
        'CreateMessagesTable',
        { 'Fn::GetAtt': ['MessagesTable', 'Arn'] },
        expect.anything(),
      ],
    });
    expect(byAction('dynamodb:GetItem')).toMatchObject({
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

  it('alarms on iterator age, the failure queues, delivery anomalies, skipped records, function errors and the 5xx rate', () => {
    const alarms = Object.fromEntries(resourcesOfType(dev.template, 'AWS::CloudWatch::Alarm'));
    expect(Object.keys(alarms).sort()).toEqual([
      'CountMessagesDeliveryAnomaliesAlarm',
      'CountMessagesErrorsAlarm',
      'CountMessagesFailureQueueAlarm',
      'CountMessagesIteratorAgeAlarm',
      'CountMessagesSkippedRecordsAlarm',
      'HttpApi5xxRateAlarm',
      'MessagesSentErrorsAlarm',
      'ReportFailureQueueAlarm',
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

  it('names each function log group after its function, also under a custom stack name', () => {
    expect(customStackName.state.service.provider.stackName).toBe('ops-dashboard');
    for (const packaged of [prod, customStackName]) {
      const resources = resolved(packaged);
      const logGroups = Object.entries(resources).filter(
        ([, resource]) => resource.type === 'AWS::Logs::LogGroup',
      );
      const functions = resourcesOfType(packaged.template, 'AWS::Lambda::Function');
      expect(functions).toHaveLength(3);
      for (const [logicalId, fn] of functions) {
        const name = resources[logicalId]?.properties.FunctionName;
        expect(name).toMatch(/^engagement-dashboard-(prod|staging)-/);
        // Where Lambda writes the function's logs: /aws/lambda/<function name>.
        const owned = logGroups.filter(
          ([, group]) => group.properties.LogGroupName === `/aws/lambda/${name}`,
        );
        expect(owned).toHaveLength(1);
        const [groupId] = owned[0] as [string, unknown];
        expect(fn.DependsOn).toContain(groupId);
        // …and the only log group its role may write to.
        const role = packaged.template.Resources[fn.Properties.Role['Fn::GetAtt'][0]] as Resource;
        expect(
          statementsOf(role).find((statement) =>
            [statement.Action].flat().includes('logs:PutLogEvents'),
          )?.Resource,
        ).toEqual({ 'Fn::GetAtt': [groupId, 'Arn'] });
      }
    }
  });

  it("writes a JSON access log of the HTTP API's requests to its own log group, never a header", () => {
    const stage = prod.template.Resources.HttpApiStage as Resource;
    const { DestinationArn, Format } = stage.Properties.AccessLogSettings;
    expect(DestinationArn).toEqual({ 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
    // Only variables that identify a request and its outcome: no header, query string or path.
    const variables = [...String(Format).matchAll(/\$context\.[A-Za-z.]+/g)].map(([v]) => v);
    expect(new Set(variables)).toEqual(
      new Set([
        '$context.requestId',
        '$context.requestTime',
        '$context.routeKey',
        '$context.status',
        '$context.responseLatency',
        '$context.integrationLatency',
        '$context.integrationStatus',
        '$context.error.messageString',
        '$context.identity.sourceIp',
        '$context.protocol',
        '$context.responseLength',
      ]),
    );
    // As API Gateway fills it in (messageString comes quoted), one JSON object per request.
    const line = String(Format)
      .replaceAll('$context.error.messageString', '"Not Found"')
      .replace(/\$context\.[A-Za-z.]+/g, (variable) => `${variable.length}`);
    expect(Object.keys(JSON.parse(line))).toEqual([
      'requestId',
      'requestTime',
      'routeKey',
      'status',
      'responseLatencyMs',
      'integrationLatencyMs',
      'integrationStatus',
      'error',
      'ip',
      'protocol',
      'responseLength',
    ]);
    // Kept as long as the functions' logs: 365 days in prod.
    const resources = resolved(prod);
    expect(resources.HttpApiLogGroup?.properties.RetentionInDays).toBe('365');
    expect(resources.MessagesSentLogGroup?.properties.RetentionInDays).toBe('365');
    expect(resolved(dev).HttpApiLogGroup?.properties.RetentionInDays).toBe('30');
  });

  it('sends a failed daily report to a queue, whether the function failed or EventBridge could not invoke it, and alarms on it', () => {
    const resources = prod.template.Resources;
    const queue = { 'Fn::GetAtt': ['ReportFailureQueue', 'Arn'] };
    const [[ruleId, rule]] = resourcesOfType(prod.template, 'AWS::Events::Rule') as [
      [string, Resource],
    ];
    expect(rule.Properties.Targets).toEqual([
      {
        Id: 'messages-sentSchedule',
        Arn: { 'Fn::GetAtt': ['MessagesDashsentLambdaFunction', 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 21600 },
        DeadLetterConfig: { Arn: queue },
      },
    ]);
    // The permission osls made for the rule still names it.
    const [[, permission]] = resourcesOfType(prod.template, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'events.amazonaws.com',
    ) as [[string, Resource]];
    expect(permission.Properties.SourceArn).toEqual({ 'Fn::GetAtt': [ruleId, 'Arn'] });
    // EventBridge may send dead letters for that rule alone.
    const policy = (resources.ReportFailureQueuePolicy as Resource).Properties;
    expect(policy.Queues).toEqual([{ Ref: 'ReportFailureQueue' }]);
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queue,
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
      },
    ]);
    // Lambda sends an invocation that failed its retries there.
    const [[, invokeConfig]] = resourcesOfType(prod.template, 'AWS::Lambda::EventInvokeConfig') as [
      [string, Resource],
    ];
    expect(invokeConfig.Properties).toMatchObject({
      FunctionName: { Ref: 'MessagesDashsentLambdaFunction' },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: queue } },
    });
    expect((resources.ReportFailureQueue as Resource).Properties.MessageRetentionPeriod).toBe(
      1209600,
    );
    expect((resources.ReportFailureQueueAlarm as Resource).Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': ['ReportFailureQueue', 'QueueName'] } },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(resolved(prod).ReportFailureQueueAlarm?.properties.AlarmActions).toEqual([
      'arn:aws:sns:eu-west-1:123456789012:oncall',
    ]);
  });

  it('keeps the log groups and failure queues when a prod stack is removed, and lets dev delete them', () => {
    const kept = [
      'CountMessagesFailureQueue',
      'CountMessagesLogGroup',
      'HttpApiLogGroup',
      'MessagesSentLogGroup',
      'ReportFailureQueue',
      'RocketChatWebhookLogGroup',
    ];
    const policies = (template: Template) =>
      [
        ...resourcesOfType(template, 'AWS::Logs::LogGroup'),
        ...resourcesOfType(template, 'AWS::SQS::Queue'),
      ]
        .map(([id, resource]) => [id, resource.DeletionPolicy, resource.UpdateReplacePolicy])
        .sort();
    expect(policies(prod.template)).toEqual(kept.map((id) => [id, 'Retain', 'Retain']));
    expect(policies(dev.template)).toEqual(kept.map((id) => [id, 'Delete', 'Delete']));
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
