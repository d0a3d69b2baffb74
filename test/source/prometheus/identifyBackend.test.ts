import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sourceTypeOf } from '../../../src/source/SourceConfig.js';
import { identifyBackend, type BuildInfoAnswer } from '../../../src/source/prometheus/identifyBackend.js';
import { PromClient } from '../../../src/source/prometheus/PromClient.js';
import { useFakeServer } from './fakeServer.js';

interface Recorded extends BuildInfoAnswer {
  readonly name: string;
  readonly expect: string;
  readonly source: string;
}

/** Build-info answers of each backend's current releases; each entry names where it comes from. */
const answers = JSON.parse(readFileSync(new URL('../../fixtures/buildinfo/answers.json', import.meta.url), 'utf8')) as Recorded[];

describe('identifyBackend on recorded build-info answers', () => {
  it.each(answers.map((a) => [a.name, a] as const))('%s', (_name, answer) => {
    const found = identifyBackend(answer);
    expect(found.backend).toBe(answer.expect);
    expect(found.evidence.length).toBeGreaterThan(0);
  });

  it('maps what it finds to the source type a pull uses (Cortex pulls like Mimir)', () => {
    expect(answers.map((a) => sourceTypeOf(identifyBackend(a).backend))).toEqual(
      answers.map((a) => ({ prometheus: 'prometheus', thanos: 'thanos', mimir: 'mimir', cortex: 'mimir', victoriametrics: 'victoriametrics', unknown: 'prometheus' })[a.expect]),
    );
  });
});

describe('PromClient.buildInfo, which pull uses', () => {
  const serve = useFakeServer();

  it.each(answers.filter((a) => a.status === 200).map((a) => [a.name, a] as const))('reads headers too: %s', async (_name, answer) => {
    const srv = await serve(() => ({ status: answer.status, headers: answer.headers, body: answer.body }));
    const client = new PromClient({ url: srv.url });
    try {
      expect((await client.buildInfo()).backend).toBe(answer.expect);
    } finally {
      client.close();
    }
  });
});
