import { JsonlOutput } from './jsonl-output.js';
import type { OutputSpec } from './output-spec.js';
import { shownTarget } from './output-spec.js';
import { DEFAULT_RECEIVER_OPTIONS } from './receiver-options.js';
import type { ReceiverOptions } from './receiver-options.js';
import type { StreamOutput } from './stream-output.js';

/** Where text goes: a file's stream, or the CLI's stdout (its buffered bytes, when it says). */
export interface TextSink {
  write(text: string): unknown;
  readonly writableLength?: number;
}

export interface OutputContext {
  readonly cwd: string;
  /** Where `jsonl=-` writes. */
  readonly stdout: TextSink;
  /** One line on stderr, said at most once per output. */
  readonly onWarning: (message: string) => void;
  readonly receiver?: Partial<Omit<ReceiverOptions, 'onWarning'>>;
}

/**
 * The streaming outputs of checked specs. The OpenTelemetry and remote-write modules are imported only when
 * asked for: a run without them never loads them.
 */
export async function createStreamOutputs(specs: readonly OutputSpec[], context: OutputContext): Promise<StreamOutput[]> {
  const receiver: ReceiverOptions = { ...DEFAULT_RECEIVER_OPTIONS, ...context.receiver, onWarning: context.onWarning };
  const outputs: StreamOutput[] = [];
  for (const spec of specs) {
    switch (spec.kind) {
      case 'jsonl':
        outputs.push(new JsonlOutput(spec.target, context.cwd, context.stdout, context.onWarning));
        break;
      case 'otlp': {
        const { OtlpOutput } = await import('./otlp-output.js');
        outputs.push(new OtlpOutput(spec.target, shownTarget(spec.target), receiver));
        break;
      }
      case 'prometheus-rw': {
        const { RemoteWriteOutput } = await import('./remote-write-output.js');
        outputs.push(new RemoteWriteOutput(spec.target, shownTarget(spec.target), receiver));
        break;
      }
    }
  }
  return outputs;
}
