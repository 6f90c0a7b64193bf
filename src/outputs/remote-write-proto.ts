import protobuf from 'protobufjs/light.js';

/**
 * Prometheus remote write 1.0's messages (prometheus/prompb types.proto and remote.proto, the fields a sender
 * uses), built in code: no .proto file to ship or read. `WriteRequest.encode`, then snappy (block format).
 */
const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: { labels: { rule: 'repeated', type: 'Label', id: 1 }, samples: { rule: 'repeated', type: 'Sample', id: 2 } },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
});

export const WriteRequest = root.lookupType('prometheus.WriteRequest');

/** One series of a remote-write request: labels (`__name__` among them), and its samples. */
export interface RemoteWriteSeries {
  readonly labels: readonly { readonly name: string; readonly value: string }[];
  readonly samples: readonly { readonly value: number; readonly timestamp: number }[];
}
