// Reads the CloudFormation templates in infra/ and evaluates the intrinsic functions they use, so
// that local and test resources are built from the same file that is deployed.
import { readFile } from 'node:fs/promises';
import { type CollectionTag, parse, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

export type TemplateValue =
  | string
  | number
  | boolean
  | null
  | TemplateValue[]
  | { [key: string]: TemplateValue };

export interface TemplateResource {
  Type: string;
  Condition?: string;
  Properties?: Record<string, TemplateValue>;
  [attribute: string]: TemplateValue | undefined;
}

export interface Template {
  Parameters?: Record<
    string,
    { Type: string; Default?: string | number; AllowedValues?: (string | number)[] }
  >;
  Conditions?: Record<string, TemplateValue>;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, TemplateValue>;
}

export interface StackContext {
  stackName: string;
  region: string;
  accountId: string;
  parameters?: Record<string, string>;
  /**
   * Stand-ins for what only CloudFormation knows (the ARN of a queue, the id of an API…), for
   * checking a whole template offline. Without them such references are errors.
   */
  unknown?: {
    ref(logicalId: string): string;
    getAtt(logicalId: string, attribute: string): string;
  };
}

export interface ResolvedResource {
  type: string;
  properties: Record<string, TemplateValue>;
}

const shortFormFunctions = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
];

// CloudFormation's short forms (`!Sub`, `!If [...]`, …) become the long forms (`Fn::Sub`, …).
const cloudFormationTags: (ScalarTag | CollectionTag)[] = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) },
  ...shortFormFunctions.flatMap((name): (ScalarTag | CollectionTag)[] => [
    { tag: `!${name}`, resolve: (value: string) => ({ [`Fn::${name}`]: value }) },
    {
      tag: `!${name}`,
      collection: 'seq',
      resolve: (seq) => ({ [`Fn::${name}`]: (seq as YAMLSeq).toJSON() }),
    },
    {
      tag: `!${name}`,
      collection: 'map',
      resolve: (map) => ({ [`Fn::${name}`]: (map as YAMLMap).toJSON() }),
    },
  ]),
];

export function parseTemplate(text: string): Template {
  const template = parse(text, { customTags: cloudFormationTags }) as Template | null;
  if (!template || typeof template !== 'object' || !template.Resources) {
    throw new Error('not a CloudFormation template: no Resources section');
  }
  return template;
}

export async function readTemplate(path: string | URL): Promise<Template> {
  return parseTemplate(await readFile(path, 'utf8'));
}

/** Every resource whose condition holds, with its properties' intrinsic functions evaluated. */
export function resolveResources(
  template: Template,
  context: StackContext,
): Record<string, ResolvedResource> {
  const evaluator = new Evaluator(template, context);
  const resolved: Record<string, ResolvedResource> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Condition && !evaluator.condition(resource.Condition)) continue;
    resolved[logicalId] = {
      type: resource.Type,
      properties: evaluator.properties(logicalId),
    };
  }
  return resolved;
}

const noValue = Symbol('AWS::NoValue');

const refIsNameOf: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::IAM::Role': 'RoleName',
};
type Evaluated = TemplateValue | typeof noValue;

class Evaluator {
  private readonly conditionCache = new Map<string, boolean>();

  constructor(
    private readonly template: Template,
    private readonly context: StackContext,
  ) {}

  properties(logicalId: string): Record<string, TemplateValue> {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId}`);
    const value = this.evaluate(resource.Properties ?? {}, `${logicalId}.Properties`);
    return value as Record<string, TemplateValue>;
  }

  condition(name: string): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`unknown condition ${name}`);
    const value = this.evaluate(definition, `Conditions.${name}`);
    if (typeof value !== 'boolean') throw new Error(`condition ${name} is not a boolean`);
    this.conditionCache.set(name, value);
    return value;
  }

  private evaluate(value: TemplateValue, path: string): Evaluated {
    if (Array.isArray(value)) {
      return value
        .map((item, index) => this.evaluate(item, `${path}[${index}]`))
        .filter((item): item is TemplateValue => item !== noValue);
    }
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    const [onlyKey] = keys;
    if (keys.length === 1 && onlyKey && (onlyKey === 'Ref' || onlyKey.startsWith('Fn::'))) {
      return this.intrinsic(onlyKey, value[onlyKey] as TemplateValue, `${path}.${onlyKey}`);
    }
    if (keys.length === 1 && onlyKey === 'Condition' && typeof value.Condition === 'string') {
      return this.condition(value.Condition);
    }
    const result: Record<string, TemplateValue> = {};
    for (const [key, item] of Object.entries(value)) {
      const evaluated = this.evaluate(item, `${path}.${key}`);
      if (evaluated !== noValue) result[key] = evaluated;
    }
    return result;
  }

  private intrinsic(name: string, argument: TemplateValue, path: string): Evaluated {
    const list = (expected: number): TemplateValue[] => {
      if (!Array.isArray(argument) || argument.length !== expected) {
        throw new Error(`${path}: expects a list of ${expected}`);
      }
      return argument;
    };
    const scalar = (item: TemplateValue | undefined, at: string): string => {
      const evaluated = this.evaluate(item ?? null, at);
      if (typeof evaluated !== 'string' && typeof evaluated !== 'number') {
        throw new Error(`${at}: expects a string`);
      }
      return String(evaluated);
    };
    switch (name) {
      case 'Ref':
        return this.ref(String(argument), path);
      case 'Fn::Sub':
        return this.sub(argument, path);
      case 'Fn::GetAtt': {
        const [resource, attribute] =
          typeof argument === 'string' ? splitOnce(argument, '.') : (argument as string[]);
        return this.getAtt(String(resource), String(attribute), path);
      }
      case 'Fn::If': {
        const [conditionName, whenTrue, whenFalse] = list(3);
        const chosen = this.condition(String(conditionName)) ? whenTrue : whenFalse;
        return this.evaluate(chosen ?? null, path);
      }
      case 'Fn::Equals': {
        const [left, right] = list(2);
        return scalar(left, `${path}[0]`) === scalar(right, `${path}[1]`);
      }
      case 'Fn::Not':
        return !this.bool(list(1)[0], path);
      case 'Fn::And':
        return (argument as TemplateValue[]).every((item) => this.bool(item, path));
      case 'Fn::Or':
        return (argument as TemplateValue[]).some((item) => this.bool(item, path));
      case 'Fn::Join': {
        const [separator, items] = list(2);
        const values = this.evaluate(items ?? [], path);
        if (!Array.isArray(values)) throw new Error(`${path}: expects a list to join`);
        return values
          .map((item, index) => scalar(item, `${path}[${index}]`))
          .join(String(separator));
      }
      case 'Fn::Split': {
        const [separator, source] = list(2);
        return scalar(source, `${path}[1]`).split(String(separator));
      }
      case 'Fn::Select': {
        const [index, items] = list(2);
        const values = this.evaluate(items ?? [], path);
        if (!Array.isArray(values)) throw new Error(`${path}: expects a list to select from`);
        return values[Number(scalar(index, path))] ?? null;
      }
      default:
        throw new Error(`${path}: ${name} cannot be evaluated outside CloudFormation`);
    }
  }

  private bool(item: TemplateValue | undefined, path: string): boolean {
    const value = this.evaluate(item ?? null, path);
    if (typeof value !== 'boolean') throw new Error(`${path}: expects a condition`);
    return value;
  }

  private ref(name: string, path: string): Evaluated {
    switch (name) {
      case 'AWS::StackName':
        return this.context.stackName;
      case 'AWS::Region':
        return this.context.region;
      case 'AWS::AccountId':
        return this.context.accountId;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return noValue;
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      const value = this.context.parameters?.[name] ?? parameter.Default;
      if (value === undefined) throw new Error(`${path}: parameter ${name} has no value`);
      if (parameter.AllowedValues && !parameter.AllowedValues.map(String).includes(String(value))) {
        throw new Error(`${path}: parameter ${name} must be one of ${parameter.AllowedValues}`);
      }
      return String(value);
    }
    if (this.template.Resources[name]) return this.physicalName(name, path);
    throw new Error(`${path}: nothing named ${name} to refer to`);
  }

  // Ref of a resource whose Ref is its name (a table, a function, a log group, a role) is the value
  // of its name property. Only that property is evaluated, so a resource may refer to itself in
  // its other properties.
  private physicalName(logicalId: string, path: string): string {
    const resource = this.template.Resources[logicalId];
    const nameProperty = resource ? refIsNameOf[resource.Type] : undefined;
    const name = nameProperty
      ? this.evaluate(
          resource?.Properties?.[nameProperty] ?? null,
          `${logicalId}.Properties.${nameProperty}`,
        )
      : undefined;
    if (typeof name === 'string') return name;
    if (this.context.unknown) return this.context.unknown.ref(logicalId);
    throw new Error(
      `${path}: the Ref of ${logicalId} is only known once CloudFormation creates it`,
    );
  }

  private getAtt(logicalId: string, attribute: string, path: string): string {
    const resource = this.template.Resources[logicalId];
    if (resource?.Type === 'AWS::DynamoDB::Table' && attribute === 'Arn') {
      const { region, accountId } = this.context;
      return `arn:aws:dynamodb:${region}:${accountId}:table/${this.physicalName(logicalId, path)}`;
    }
    if (this.context.unknown) return this.context.unknown.getAtt(logicalId, attribute);
    throw new Error(
      `${path}: ${logicalId}.${attribute} is only known once CloudFormation creates it`,
    );
  }

  private sub(argument: TemplateValue, path: string): string {
    const [text, variables] =
      typeof argument === 'string'
        ? [argument, {}]
        : (argument as [string, Record<string, TemplateValue>]);
    return text.replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, name: string) => {
      if (literal) return `\${${name}}`;
      if (variables && name in variables) {
        const value = this.evaluate(variables[name] ?? null, `${path}.${name}`);
        return String(value);
      }
      if (name.includes('.') && !name.startsWith('AWS::')) {
        const [resource, attribute] = splitOnce(name, '.');
        return this.getAtt(resource, attribute, path);
      }
      return String(this.ref(name, path));
    });
  }
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}
