// Creates the tables of infra/tables.yml in DynamoDB Local, translating each CloudFormation
// AWS::DynamoDB::Table into the API calls that build the same table.
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { readTemplate, resolveResources, type TemplateValue } from '../template.js';

export const tablesTemplateUrl = new URL('../tables.yml', import.meta.url);

/** The service's tables by role, as the environment names them. */
export interface TableNames {
  messages: string;
  counters: string;
  auth: string;
}

const tableRoles: Record<keyof TableNames, string> = {
  messages: 'MessagesTable',
  counters: 'CountersTable',
  auth: 'AuthTable',
};

export interface TableSpec {
  logicalId: string;
  create: CreateTableCommandInput;
  timeToLiveAttribute?: string;
}

// Properties that matter only in AWS itself; DynamoDB Local has no backups, KMS or deletion
// protection to configure.
const cloudOnlyProperties = new Set([
  'PointInTimeRecoverySpecification',
  'SSESpecification',
  'DeletionProtectionEnabled',
  'ContributorInsightsSpecification',
  'Tags',
]);

const passThroughProperties = new Set([
  'TableName',
  'AttributeDefinitions',
  'KeySchema',
  'BillingMode',
  'ProvisionedThroughput',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
]);

export function tableSpecFromProperties(
  logicalId: string,
  properties: Record<string, TemplateValue>,
): TableSpec {
  const create: Record<string, unknown> = {};
  let timeToLiveAttribute: string | undefined;
  for (const [key, value] of Object.entries(properties)) {
    if (passThroughProperties.has(key)) {
      create[key] = value;
    } else if (key === 'StreamSpecification') {
      const { StreamViewType } = value as { StreamViewType: string };
      create.StreamSpecification = { StreamEnabled: true, StreamViewType };
    } else if (key === 'TimeToLiveSpecification') {
      const { AttributeName, Enabled } = value as { AttributeName: string; Enabled: boolean };
      if (Enabled) timeToLiveAttribute = AttributeName;
    } else if (!cloudOnlyProperties.has(key)) {
      throw new Error(`${logicalId}: property ${key} is not supported by the local table builder`);
    }
  }
  const spec: TableSpec = { logicalId, create: create as unknown as CreateTableCommandInput };
  if (timeToLiveAttribute) spec.timeToLiveAttribute = timeToLiveAttribute;
  return spec;
}

/** The tables infra/tables.yml defines for a stack of the given name. */
export async function tableSpecs(stackName: string): Promise<TableSpec[]> {
  const template = await readTemplate(tablesTemplateUrl);
  const resources = resolveResources(template, {
    stackName,
    region: 'local',
    accountId: '000000000000',
    parameters: { Stage: 'local' },
  });
  return Object.entries(resources)
    .filter(([, resource]) => resource.type === 'AWS::DynamoDB::Table')
    .map(([logicalId, resource]) => tableSpecFromProperties(logicalId, resource.properties));
}

export function tableNamesOf(specs: TableSpec[]): TableNames {
  const nameOf = (logicalId: string): string => {
    const name = specs.find((spec) => spec.logicalId === logicalId)?.create.TableName;
    if (!name) throw new Error(`infra/tables.yml defines no ${logicalId}`);
    return name;
  };
  return {
    messages: nameOf(tableRoles.messages),
    counters: nameOf(tableRoles.counters),
    auth: nameOf(tableRoles.auth),
  };
}

/** Environment variables that point the functions at these tables. */
export function tableEnvironment(names: TableNames): Record<string, string> {
  return {
    MESSAGES_TABLE: names.messages,
    COUNTERS_TABLE: names.counters,
    AUTH_TABLE: names.auth,
  };
}

export interface CreatedTables {
  names: TableNames;
  /** Whether every table was created by this call (false when they already existed). */
  created: boolean;
}

/**
 * Creates the stack's tables (or only those of the roles given), leaving any that already exist
 * as they are, and waits until they are active.
 */
export async function createTables(
  client: DynamoDBClient,
  stackName: string,
  roles: readonly (keyof TableNames)[] = ['messages', 'counters', 'auth'],
): Promise<CreatedTables> {
  const specs = await tableSpecs(stackName);
  const wanted = new Set(roles.map((role) => tableRoles[role]));
  const outcomes = await Promise.all(
    specs.filter((spec) => wanted.has(spec.logicalId)).map((spec) => createTable(client, spec)),
  );
  return { names: tableNamesOf(specs), created: outcomes.every(Boolean) };
}

async function createTable(client: DynamoDBClient, spec: TableSpec): Promise<boolean> {
  const TableName = spec.create.TableName;
  let created = true;
  try {
    await client.send(new CreateTableCommand(spec.create));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    created = false;
  }
  await waitUntilTableExists(
    { client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.5 },
    { TableName },
  );
  if (created && spec.timeToLiveAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName,
        TimeToLiveSpecification: { AttributeName: spec.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
  return created;
}

export async function deleteTables(
  client: DynamoDBClient,
  names: Partial<TableNames>,
): Promise<void> {
  await Promise.all(
    Object.values(names).map(async (TableName) => {
      try {
        await client.send(new DeleteTableCommand({ TableName }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    }),
  );
}
