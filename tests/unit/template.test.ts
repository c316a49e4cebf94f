import { describe, expect, it } from 'vitest';
import { tableSpecFromProperties, tableSpecs } from '../../infra/local/tables.js';
import { parseTemplate, resolveResources } from '../../infra/template.js';

const context = { stackName: 'svc-prod', region: 'eu-west-1', accountId: '123456789012' };

describe('CloudFormation template evaluation', () => {
  const template = parseTemplate(`
Parameters:
  Stage: { Type: String, Default: dev }
  Size: { Type: String, Default: small, AllowedValues: [small, large] }
Conditions:
  IsDev: !Equals [!Ref Stage, dev]
  IsNotDev: !Not [!Condition IsDev]
  Both: !And [!Condition IsNotDev, !Equals [!Ref Size, small]]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub '\${AWS::StackName}-items'
      Protected: !If [IsDev, false, true]
      Joined: !Join [':', [a, !Ref Stage, !Select [1, [x, y]]]]
      Split: !Select [1, !Split ['/', 'arn:aws:dynamodb:r:1:table/name/stream/label']]
      Literal: !Sub 'keep \${!This} in \${AWS::Region}'
      WithVariables: !Sub ['\${Name}/\${Stage}', { Name: !Ref Table }]
      Removed: !If [IsDev, !Ref AWS::NoValue, kept]
      Arn: !GetAtt Table.Arn
  OnlyOutsideDev:
    Type: AWS::SQS::Queue
    Condition: IsNotDev
    Properties:
      QueueName: !Sub '\${AWS::StackName}-queue'
      Both: !If [Both, yes, no]
`);

  it('evaluates Ref, Sub, GetAtt, If, Join, Select, Split and AWS::NoValue', () => {
    const resources = resolveResources(template, context);
    expect(resources.Table?.properties).toEqual({
      TableName: 'svc-prod-items',
      Protected: false,
      Joined: 'a:dev:y',
      Split: 'name',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's literal ${!…} yields this text
      Literal: 'keep ${This} in eu-west-1',
      WithVariables: 'svc-prod-items/dev',
      Arn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/svc-prod-items',
    });
    expect(resources.OnlyOutsideDev).toBeUndefined();
  });

  it('uses given parameters and evaluates resource conditions', () => {
    const resources = resolveResources(template, { ...context, parameters: { Stage: 'prod' } });
    expect(resources.Table?.properties.Protected).toBe(true);
    expect(resources.Table?.properties.Removed).toBe('kept');
    expect(resources.OnlyOutsideDev?.properties).toEqual({
      QueueName: 'svc-prod-queue',
      Both: 'yes',
    });
  });

  it('rejects a parameter value outside AllowedValues', () => {
    const withBadSize = { ...context, parameters: { Stage: 'prod', Size: 'huge' } };
    expect(() => resolveResources(template, withBadSize)).toThrow(
      /Size must be one of small,large/,
    );
  });

  it('names what it cannot evaluate outside CloudFormation', () => {
    const unknown = parseTemplate(`
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: x
      StreamArn: !GetAtt T.StreamArn
      Imported: !ImportValue other-stack-output
`);
    expect(() => resolveResources(unknown, context)).toThrow(
      'T.Properties.StreamArn.Fn::GetAtt: T.StreamArn is only known once CloudFormation creates it',
    );
  });

  it('refuses a text that is not a template', () => {
    expect(() => parseTemplate('just: a map')).toThrow(/no Resources section/);
  });
});

describe('tables of infra/tables.yml', () => {
  it('are the three tables of the service, named after the stack', async () => {
    const specs = await tableSpecs('engagement-dashboard-local');
    expect(
      specs.map((spec) => [spec.logicalId, spec.create.TableName, spec.timeToLiveAttribute]),
    ).toEqual([
      ['MessagesTable', 'engagement-dashboard-local-messages', undefined],
      ['CountersTable', 'engagement-dashboard-local-counters', 'expiresAt'],
      ['AuthTable', 'engagement-dashboard-local-auth', 'expiresAt'],
    ]);
    expect(specs[0]?.create.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
  });

  it('refuses a table property the local builder does not know, instead of dropping it', () => {
    expect(() =>
      tableSpecFromProperties('T', {
        TableName: 'x',
        OnDemandThroughput: { MaxReadRequestUnits: 1 },
      }),
    ).toThrow('T: property OnDemandThroughput is not supported by the local table builder');
  });
});
