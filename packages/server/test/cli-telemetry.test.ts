/** `inferlens serve`'s telemetry flags as the middleware options they give: the embedding vectors flag. */
import { Command } from 'commander';
import { expect } from 'chai';
import type { TelemetryFlags } from '../src/cli-telemetry.js';
import { addTelemetryOptions, telemetryOptions } from '../src/cli-telemetry.js';

function parse(args: string[]): TelemetryFlags {
  return addTelemetryOptions(new Command().exitOverride()).parse(args, { from: 'user' }).opts<TelemetryFlags>();
}

describe('telemetry flags', () => {
  it('summarises embedding vectors unless --embedding-vectors full', () => {
    expect(telemetryOptions(parse([]))).to.include({ embeddingVectors: 'summary' });
    expect(telemetryOptions(parse(['--embedding-vectors', 'full']))).to.include({ embeddingVectors: 'full' });
  });

  it('refuses another --embedding-vectors value', () => {
    const command = addTelemetryOptions(new Command().exitOverride().configureOutput({ writeErr: () => undefined }));
    expect(() => command.parse(['--embedding-vectors', 'some'], { from: 'user' })).to.throw(
      /Allowed choices are summary, full/,
    );
  });
});
