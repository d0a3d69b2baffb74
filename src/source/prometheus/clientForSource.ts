import type { SourceConfig } from '../SourceConfig.js';
import { PromClient, type PromClientOptions } from './PromClient.js';

/** The client a plan's source describes. */
export function clientForSource(source: SourceConfig, extra: Partial<PromClientOptions> = {}): PromClient {
  return new PromClient({
    url: source.url,
    name: source.name,
    auth: source.auth,
    headers: source.headers,
    tls: source.tls,
    thanos: source.thanos,
    timeoutMs: source.timeoutMs,
    compression: source.compression,
    ...extra,
  });
}
