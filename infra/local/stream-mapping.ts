// The deployed event source mapping's settings (CountMessagesStreamMapping in infra/functions.yml),
// read from that file, so that the local stream poller delivers exactly as the deployed mapping
// does and the two cannot drift apart.
import { readTemplate } from '../template.js';
import type { PollerOptions } from './stream-poller.js';

const functionsTemplateUrl = new URL('../functions.yml', import.meta.url);

export type MappingSettings = Required<
  Pick<PollerOptions, 'batchSize' | 'tumblingWindowSeconds' | 'maximumRetryAttempts'>
>;

export class UnsupportedMappingError extends Error {
  constructor(setting: string) {
    super(`the local stream poller cannot deliver as the stream mapping is set up: ${setting}`);
    this.name = 'UnsupportedMappingError';
  }
}

export async function streamMappingSettings(): Promise<MappingSettings> {
  const template = await readTemplate(functionsTemplateUrl);
  const properties = template.Resources.CountMessagesStreamMapping?.Properties ?? {};
  const number = (name: string) => {
    const value = properties[name];
    if (typeof value !== 'number') throw new UnsupportedMappingError(`${name} is not a number`);
    return value;
  };
  const types = properties.FunctionResponseTypes;
  if (!Array.isArray(types) || !types.includes('ReportBatchItemFailures')) {
    throw new UnsupportedMappingError('FunctionResponseTypes lacks ReportBatchItemFailures');
  }
  if (properties.BisectBatchOnFunctionError !== false) {
    throw new UnsupportedMappingError('BisectBatchOnFunctionError is not false');
  }
  if (number('ParallelizationFactor') !== 1) {
    throw new UnsupportedMappingError('ParallelizationFactor is not 1');
  }
  return {
    batchSize: number('BatchSize'),
    tumblingWindowSeconds: number('TumblingWindowInSeconds'),
    maximumRetryAttempts: number('MaximumRetryAttempts'),
  };
}
